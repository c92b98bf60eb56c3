/* oci_int: helpers shared by oci.c and oci_config.c (private to image/). */
#ifndef CCG_IMAGE_OCI_INT_H
#define CCG_IMAGE_OCI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yyjson.h>

#include "base/err.h"
#include "base/json.h"

#define OCI_SHOW_MAX 64

/* "schemaVersion" must be the integer 2. */
int oci_check_schema(yyjson_val *root, struct err *e);

#endif
