# boot/: the boot stub (freestanding, no libc) and its pure parts.
