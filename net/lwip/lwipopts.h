/* lwipopts.h: ccguest's lwIP configuration.  lwIP runs only the DHCPv4 client
 * (NO_SYS, raw API, one Ethernet netif fed from an AF_PACKET socket); the
 * guest's real network stack is the Linux kernel's.  deps/build.sh installs
 * this file (and arch/cc.h) next to lwIP's headers in $(BUILD)/deps/FLAVOUR/
 * include, so the library and our code see the same options. */
#ifndef CCG_LWIPOPTS_H
#define CCG_LWIPOPTS_H

#define NO_SYS                      1
#define SYS_LIGHTWEIGHT_PROT        0
#define LWIP_TIMERS                 1
#define LWIP_SOCKET                 0
#define LWIP_NETCONN                0
#define LWIP_NETIF_API              0

/* Memory comes from the C heap (ASan sees every pbuf in tests and fuzzing). */
#define MEM_LIBC_MALLOC             1
#define MEMP_MEM_MALLOC             1
#define MEM_ALIGNMENT               8
#define PBUF_POOL_BUFSIZE           1536

/* IPv4, ARP, Ethernet, UDP, DHCP: nothing else. */
#define LWIP_IPV4                   1
#define LWIP_IPV6                   0
#define LWIP_ARP                    1
#define LWIP_ETHERNET               1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define LWIP_UDP                    1
#define LWIP_TCP                    0
#define LWIP_RAW                    0
#define LWIP_ICMP                   0
#define LWIP_IGMP                   0
#define LWIP_AUTOIP                 0
#define IP_FORWARD                  0
#define IP_REASSEMBLY               0
#define IP_FRAG                     0
#define LWIP_DHCP                   1
/* No address conflict probing: it would delay every boot by several seconds
 * and the only DHCP servers we meet (QEMU user networking, a test peer) hand
 * out addresses nobody else holds. */
#define LWIP_ACD                    0
#define LWIP_DHCP_DOES_ACD_CHECK    0
#define LWIP_DHCP_BOOTP_FILE        0
#define LWIP_DHCP_GET_NTP_SRV       0
/* The resolver is compiled only so that DHCP requests and records option 6
 * (DNS servers); nothing resolves names through lwIP. */
#define LWIP_DNS                    1
#define DNS_MAX_SERVERS             2
#define LWIP_DHCP_MAX_DNS_SERVERS   2

#define LWIP_NETIF_HOSTNAME         0
#define LWIP_NETIF_STATUS_CALLBACK  0
#define LWIP_NETIF_LINK_CALLBACK    0
#define LWIP_SINGLE_NETIF           0
#define LWIP_STATS                  0
#define LWIP_DEBUG                  0

/* Checksums are computed and checked in software. */
#define CHECKSUM_GEN_IP             1
#define CHECKSUM_GEN_UDP            1
#define CHECKSUM_CHECK_IP           1
#define CHECKSUM_CHECK_UDP          1

/* Our sources include <arpa/inet.h>: keep lwIP's htons() & co out. */
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1

#endif
