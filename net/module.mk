# net/: link setup (rtnetlink), DHCP (lwip), HTTP/1.1, TLS (mbed TLS).
