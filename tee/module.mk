# tee/: evidence providers (snp, tdx, sample), the KBS client, initdata.
