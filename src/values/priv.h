/* Turning bytes of the tracee into value trees, by DWARF type (private to
 * the values module). */
#ifndef LATCH_DECODE_H
#define LATCH_DECODE_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stdint.h>
#include "values/values.h"

/* The most bytes read for one object: a bigger struct or array shows what
 * fits and marks the rest unreadable. */
#define DEC_MAX_OBJECT 4096

/* Where a value sits in the tree being built. */
struct dec_pos {
	unsigned level;          /* struct/array nesting above it */
	unsigned followed;       /* pointers followed on the way here */
};

/* Floating-point registers, fetched at most once per stop and only when
 * a value lies in them. */
struct fp_cache {
	struct arch_fpregs fp;
	int state;               /* 0 not fetched, 1 fetched, -errno */
};

/* The value of DWARF type `type` (NULL: a raw word) where loc says;
 * what cannot be read is marked so. 0 or -ENOMEM. */
int val_read(const struct values_src *src, Dwarf_Die *type,
	     const struct abi_loc *loc, struct fp_cache *fc, struct value *v);

/* Decode a value of DWARF type `type` from buf[0..len); when len is
 * shorter than the type, the missing bytes could not be read. 0 or
 * -ENOMEM. */
int dec_value(const struct values_src *src, Dwarf_Die *type,
	      const uint8_t *buf, size_t len, struct dec_pos pos,
	      struct value *v);
/* The same for a value at addr in the tracee; *readable tells whether any
 * of it could be read (v is left alone if not). */
int dec_at(const struct values_src *src, Dwarf_Die *type, uint64_t addr,
	   struct dec_pos pos, struct value *v, bool *readable);

/* values/decode_agg.c: structs, classes, unions and arrays (pos.level is theirs;
 * members are one level deeper). */
int dec_struct(const struct values_src *src, Dwarf_Die *t, const uint8_t *buf,
	       size_t len, struct dec_pos pos, struct value *v);
int dec_array(const struct values_src *src, Dwarf_Die *t, const uint8_t *buf,
	      size_t len, struct dec_pos pos, struct value *v);

/* values/decode_text.c: bytes as V_STR text. */
bool dec_char_like(Dwarf_Die *t);
/* char *, const unsigned char *..., not uint8_t *, which holds bytes. */
bool dec_points_to_text(Dwarf_Die *ptr);
/* A NUL-terminated string at addr, at most limit bytes. */
int dec_read_string(const struct values_src *src, uint64_t addr,
		    struct value *v);
/* len bytes at addr (a std::string buffer), cut at the string limit. */
int dec_read_counted(const struct values_src *src, uint64_t addr, uint64_t len,
		     struct value *v);
/* An in-place char[n], up to its first NUL. */
int dec_char_array(const struct values_src *src, const uint8_t *buf,
		   size_t n, struct value *v);

/* Little-endian unsigned integer of size (<= 8) bytes at buf. */
uint64_t dec_load(const uint8_t *buf, size_t size);

#endif
