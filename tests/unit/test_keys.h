/* test_keys: private keys (test data only, never used elsewhere) shared by
 * the JWE unit tests and the ocicrypt fuzz target: a P-256 SEC1 key and an
 * RSA-2048 PKCS#8 key. */
#ifndef CCG_TESTS_TEST_KEYS_H
#define CCG_TESTS_TEST_KEYS_H

static const char pem_ec256[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MHcCAQEEILyLFWSolnnAgQY6Yq/6VUMc6tuCfraSxmUytN8jIlxsoAoGCCqGSM49\n"
	"AwEHoUQDQgAEd6FqJv5DCEpu3swwRcHKF5kDrJwwGa1eE35vtPPX2bXWneYAssyP\n"
	"BMod5W05J1XJxPZo6Ua1rkLBktWivP/Kpw==\n"
	"-----END EC PRIVATE KEY-----\n";
static const char pem_rsa8[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC8Q9/HyhmXPRfS\n"
	"SeXzJ/45zTg/4jDOYvrJkLPIpL/XA/WcgMx4/cJ25JVTTsS4cAhUn00kUlA8HLmI\n"
	"YNK2GdaxKztK28mYDH3cvfzVQwotGRQ15yvfKgruvd409czXyk+2nz0zmwi71jDm\n"
	"xQrLqjok+qz2esNhPv+4PPK1M6BKqxx1jmINr1xey/39nhb2WoIrmD9gXOkcbwlo\n"
	"KKSiEVSx3vzDOe5XeelKKQkcabM4lBaoHevu5TgDWiy4BpoFBZDl51fNp8V7mtha\n"
	"cX3mhU0glKtIkSQ0hX+Xp51GzhBb2QqPfdfr57eDwbLf6QfinMFdjfedR5aGNjIY\n"
	"KD6VEbSdAgMBAAECggEATtR208/GdmLQ4i8qN24ED8zj5DAAcrLUQukxtm5xm4Uf\n"
	"Z0gxFepfbmwZMJhXW8khW9mWMgK7cOgwMbAlGrXoBShOe/Jaz61PWEo/H0cicC7D\n"
	"nSxuXNPcXwomjHNtsd+XECdON5kPh6NQt5hDBHODRC+ok85kmAgKiGkQ0ZnL4Oda\n"
	"maiVkVLnPQWzFjtRKVRSUmVW0gYxTicHMKZCZ6QcDKZkGPv09boqE2Q7kksm6k++\n"
	"j7v4QnE8Ex41UoAWIIbHz1omT6c2fa95jQMnkjhUq/YMGew4c9OuA+pOAR+0s6Fn\n"
	"ZUQBIuV+zZxI/8+BIzUwiDNxauQIIoJ/6DmaaFo5WwKBgQD6wOq2TZ+0v+uq7KrS\n"
	"4oX6eY6JGrwmwJoJIJ0olE9QJz8z8fQ1svWdHH3ECBJuTaQ8iVREZ62RrJvWjeK2\n"
	"eskNjZSEi7tZJNsGYRZ9VvOkJaDxl1c1iOBUBH++BDyHpzwo685QR2yLhgNC4aNv\n"
	"XvRkMxft0bnPbOoOjM2bPEsSnwKBgQDANEHpLqDC2QnA1fWqGh0HSjqMBcMPAukA\n"
	"+QrWimpobbzXfjiSmPdmWtifcHUXhM/C/UcjUvFXkkOeoT0o4+b914+viMDVGCz/\n"
	"zEMcKWF3whJM5NOIzrFZwcA0fpkl5k1q0xF5qy7I3sj1oR4jtsqK/GeERFc3mvt8\n"
	"fmCd3wELQwKBgQCfvcJIfM7fANyLONXiHninhkStRyDRtyTp56L2tPSJ5Va4Ks0e\n"
	"YHFjs0DTXykOp9uWzQ2nvjyubr2gQydIhJQMVENm5PVm5rm5KKSBGKGB0o7jGTxv\n"
	"WFFAdNVEIcLF0F3c28vFDJszjx4Iv2G0k1MxefMmh9LNN18sAbsBx7kzlQKBgCd+\n"
	"1YhwH3LKnJl2nfutUAe+dhdt265K/8xGYLbDTKhW3HY/pqphKn1q75abykPh87ty\n"
	"xlp44cUH9kMziNjNNBs3X3xHkrB3Pk/2DlhMHI46X/5TCzDSoFj8Wl2vIhNKpt/r\n"
	"rWyeA4gdV5g52nKmTiqPQUpJrM5tV342je4C9Dj3AoGBAOYRnLG+ZaAdpFXIjNv2\n"
	"o1G+JwN3IiobYLchhpQXVDqOy8WyDYeNunNfRQQvFyjlP9XPTnRqE8/4ziY9pBPv\n"
	"WD1RqeeI43mFtfYZtUlSVGim/sP4JeWp8watR6mlkldyKJWnlO79v4BzNSDxb2PJ\n"
	"ypAZR1Lil1BeIZ7VNdQVKG99\n"
	"-----END PRIVATE KEY-----\n";

#endif
