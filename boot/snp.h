/* snp: the SEV-SNP duties of the boot stub, through the GHCB MSR protocol
 * (AMD "SEV-ES Guest-Hypervisor Communication Block Standardization",
 * document 56421, §2.3.1 "GHCB MSR Protocol" and §4.1): protocol
 * negotiation, page state change to private, PVALIDATE, termination.
 * Freestanding, private to the stub; it runs only on SNP hardware. */
#ifndef CCG_BOOT_SNP_H
#define CCG_BOOT_SNP_H

#include <stdint.h>

#include "boot/stub_abi.h"

/* Termination reason codes of the stub (reason code set SNP_TERM_SET). */
#define SNP_TERM_SET          0x3u   /* a non-zero, guest-defined set; Linux uses 1 */
#define SNP_TERM_CONFIG       0x01u  /* stub_config magic/version/counts */
#define SNP_TERM_ENTRY        0x02u  /* SNP config reached through the wrong entry */
#define SNP_TERM_VP_COUNT     0x03u
#define SNP_TERM_MEMMAP       0x04u  /* parameter page memory map unusable */
#define SNP_TERM_E820         0x05u  /* more than 128 e820 entries */
#define SNP_TERM_RANGE        0x06u  /* RAM beyond the 512 GiB identity map */
#define SNP_TERM_MPTABLE      0x07u
#define SNP_TERM_PAYLOAD      0x08u  /* kernel or initrd SHA-256 differs from the config */
#define SNP_TERM_ACPI         0x09u  /* the ACPI tables do not fit their area */
#define SNP_TERM_PROTOCOL     0x10u  /* GHCB protocol version 2 not offered */
#define SNP_TERM_PSC          0x11u  /* page state change refused */
#define SNP_TERM_PVALIDATE    0x12u  /* PVALIDATE failed */

/* Request termination; never returns (repeats the request). */
void snp_terminate(uint8_t code) __attribute__((noreturn));

/* GHCB MSR protocol SEV information request: terminate unless the
 * hypervisor speaks GHCB protocol version 2 (needed for page state change). */
void snp_negotiate(void);

/* Make every 4 KiB page of [base, base+size) that lies outside imported[n]
 * private (page state change) and validate it (PVALIDATE), terminating on any
 * failure.  base and size page aligned; the range identity mapped. */
void snp_accept(uint64_t base, uint64_t size, const struct stub_range *imported, uint32_t n);

#endif
