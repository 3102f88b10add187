/* DWARF location expressions evaluated at one stop: where a variable is
 * at the pc a thread is stopped at (DWARF 5, section 2.5 and 2.6). */
#ifndef LATCH_DWARF_LOC_H
#define LATCH_DWARF_LOC_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>

enum dw_loc_kind {
	DWLOC_NONE,     /* optimised out there, or an expression latch does
			 * not evaluate (pieces, entry values) */
	DWLOC_MEMORY,   /* at .addr */
	DWLOC_REG,      /* in DWARF register .reg */
	DWLOC_VALUE,    /* no storage: the value is .value */
	DWLOC_BYTES,    /* no storage: .len bytes at .bytes (debug info's) */
};

struct dw_loc {
	enum dw_loc_kind kind;
	uint64_t addr, value;
	unsigned reg;
	const uint8_t *bytes;
	size_t len;
};

/* The stop the expressions are evaluated at. */
struct dw_loc_env {
	/* An integer register's value by DWARF number; false if unknown. */
	bool (*reg)(void *ctx, unsigned dwreg, uint64_t *val);
	/* 8 bytes of the tracee at addr; false if unreadable. */
	bool (*mem)(void *ctx, uint64_t addr, uint64_t *val);
	void *ctx;
	Dwfl_Module *mod;       /* its CFI gives the CFA */
	uint64_t pc;            /* run-time address of the stop */
	Dwarf_Die *frame;       /* the subprogram with DW_AT_frame_base, or NULL */
};

/* Evaluate one location expression at env's stop: false when it uses
 * what latch does not evaluate, or reads what cannot be read. */
bool dw_loc_eval(const Dwarf_Op *ops, size_t nops, const struct dw_loc_env *env,
		 struct dw_loc *out);

/* Where variable (or parameter) die is at env's pc: its DW_AT_location
 * there, or its DW_AT_const_value. */
void dw_var_loc(Dwarf_Die *die, const struct dw_loc_env *env, struct dw_loc *out);

#endif
