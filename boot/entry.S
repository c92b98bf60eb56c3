/* entry.S: the boot stub's two entries.
 *
 *  - stub_entry64: the SEV-SNP VMSA starts here (RIP), already in long mode
 *    with CR3 = STUB_GPA_PML4 (C-bit set), CS = 0x10, DS/ES/SS = 0x18 from the
 *    GDT at STUB_GPA_GDT, RSP = top of the stack page, IF = 0.
 *  - the reset page (.reset, linked at STUB_GPA_RESET = 0xFFFFF000, exactly
 *    one page): a native vCPU leaves reset in real mode with CS.base =
 *    0xFFFF0000, IP = 0xFFF0 (Intel SDM vol. 3 §9.1.4; AMD APM vol. 2 §14.1.5),
 *    i.e. at offset 0xFF0 of this page.  The code there loads the GDT kept in
 *    this page, enters 32-bit protected mode, turns on PAE, loads CR3 with the
 *    builder's identity map (1 GiB pages), sets EFER.LME (+NXE), enables
 *    paging and far-jumps to 64-bit code in .text (AMD APM vol. 2 §14.6
 *    "Enabling and activating long mode"; Intel SDM vol. 3 §10.8.5).
 *
 * Both continue in stub_common64 → stub_main(entry) in stub.c, which never
 * returns; it leaves through stub_enter_kernel (below).
 */
#include "boot/stub_abi.h"

#define RESET_CS_BASE   0xFFFF0000     /* real-mode CS base at reset */
#define MSR_EFER        0xC0000080     /* APM vol. 2 §3.1.7 */
#define EFER_LME        (1 << 8)
#define EFER_NXE        (1 << 11)
#define CR0_PE          (1 << 0)
#define CR0_NW          (1 << 29)
#define CR0_CD          (1 << 30)
#define CR0_PG          (1 << 31)
#define CR4_PAE         (1 << 5)
#define STACK_TOP       (STUB_GPA_STACK + STUB_PAGE)
#define DEBUG_EXIT_PORT 0xf4           /* QEMU isa-debug-exit */

/* Failure codes written to the debug-exit port before long mode (native). */
#define EARLY_NO_LM     0x31           /* CPUID: no long mode */
#define EARLY_NO_1G     0x32           /* CPUID: no 1 GiB pages */

/* stub_main(entry): 0 = reset path (native), 1 = 64-bit entry (VMSA). */
#define ENTRY_RESET     0
#define ENTRY_64        1

/* ------------------------------------------------------------------------ */
	.section .reset, "ax"
	.code16
	.globl stub_reset_start
stub_reset_start:
reset16:
	cli
	cld
	/* Fast A20 (port 0x92 bit 1; bit 0 would reset): QEMU starts with A20
	 * on, real boards may not. */
	inb	$0x92, %al
	orb	$0x02, %al
	andb	$0xFE, %al
	outb	%al, $0x92
	/* 32-bit GDTR load (0x66 prefix: a 16-bit LGDT loads only 24 bits of
	 * base).  DS is 0 at reset, so address the descriptor through CS. */
	lgdtl	%cs:(reset_gdt_desc - stub_reset_start + (STUB_GPA_RESET - RESET_CS_BASE))
	/* Protection on; caches on (CR0 leaves reset with CD = NW = 1, SDM
	 * vol. 3 §9.1.1; the caches hold nothing yet, so no WBINVD). */
	movl	%cr0, %eax
	andl	$~(CR0_CD | CR0_NW), %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	/* 0x66 EA imm32 sel16: far jump into the 32-bit code segment. */
	ljmpl	$STUB_SEL_CODE32, $reset32

	.code32
reset32:
	movl	$STUB_SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	/* CPUID 0x80000001 EDX: bit 29 LM, bit 26 Page1GB, bit 20 NX
	 * (APM vol. 3 appendix E.4.2). */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	1f
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	1f
	btl	$26, %edx
	jnc	2f
	movl	%edx, %esi              /* keep NX for EFER below */
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$STUB_GPA_PML4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	btl	$20, %esi
	jnc	3f
	orl	$EFER_NXE, %eax
3:	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_PE), %eax
	movl	%eax, %cr0              /* long mode active (compatibility) */
	ljmpl	$STUB_SEL_CODE64, $stub_native64
1:	movb	$EARLY_NO_LM, %al
	jmp	4f
2:	movb	$EARLY_NO_1G, %al
4:	outb	%al, $DEBUG_EXIT_PORT
5:	hlt
	jmp	5b

	/* The transition GDT: same selectors as the builder's page at
	 * STUB_GPA_GDT.  Accessed bits preset (type 0x9B/0x93) so that no
	 * segment load tries to write to this ROM page. */
	.balign 8
reset_gdt:
	.quad	0                       /* 0x00 null */
	.quad	0x00CF9B000000FFFF      /* 0x08 32-bit code, flat 4 GiB */
	.quad	0x00AF9B000000FFFF      /* 0x10 64-bit code (L=1) */
	.quad	0x00CF93000000FFFF      /* 0x18 data, flat 4 GiB */
reset_gdt_end:
	.balign 8
	.word	0                       /* pad: base at an aligned address */
reset_gdt_desc:
	.word	reset_gdt_end - reset_gdt - 1
	.long	reset_gdt

	/* The reset vector: offset 0xFF0, 16 bytes. */
	.org	0xFF0
	.code16
	.globl stub_reset_vector
stub_reset_vector:
	jmp	reset16                 /* E9 0D F0: rel16 back to offset 0 */
	.org	0x1000, 0xF4            /* pad with HLT */

/* ------------------------------------------------------------------------ */
	.text
	.code64
stub_native64:
	movl	$STUB_SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	$ENTRY_RESET, %edi
	jmp	stub_common64

	.globl stub_entry64
	.type stub_entry64, @function
stub_entry64:
	cli
	movl	$ENTRY_64, %edi
	/* fall through */
stub_common64:
	cld
	movq	$STACK_TOP, %rsp
	xorl	%ebp, %ebp
	call	stub_main               /* never returns */
6:	hlt
	jmp	6b
	.size stub_entry64, . - stub_entry64

/* void stub_enter_kernel(uint64_t entry, uint64_t boot_params)
 * Linux x86-64 boot protocol (Documentation/arch/x86/boot.rst, "64-bit Boot
 * Protocol"): identity-mapped long mode, CS = __BOOT_CS 0x10,
 * DS/ES/SS = __BOOT_DS 0x18, interrupts off, RSI = struct boot_params. */
	.globl stub_enter_kernel
	.type stub_enter_kernel, @function
stub_enter_kernel:
	cli
	cld
	movq	%rdi, %rax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	movq	$STACK_TOP, %rsp
	jmp	*%rax
	.size stub_enter_kernel, . - stub_enter_kernel

	.section .note.GNU-stack, "", @progbits
