/* SPDX-License-Identifier: MIT */
/* version.h — the release version, from the VERSION file via configure (config.h). */
#ifndef DBTLS_VERSION_H
#define DBTLS_VERSION_H
#include "config.h"
#define DBTLS_VERSION PACKAGE_VERSION
#endif
