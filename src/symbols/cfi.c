// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF call frame information to unwind rows; see cfi.h. The formats are the DWARF
 * standard's (.debug_frame) and the LSB's (.eh_frame: pointer encodings, augmentation
 * strings). Every read is bounds-checked: the input is whatever file a traced
 * process mapped.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/cfi.h"
#include "lib/util.h"

/* x86_64 DWARF register numbers */
#define REG_RBP 6
#define REG_RSP 7
#define REG_RA 16

/* pointer encodings (DW_EH_PE_*) */
#define PE_OMIT 0xff
#define PE_FMT 0x0f
#define PE_ABSPTR 0x00
#define PE_ULEB 0x01
#define PE_UDATA2 0x02
#define PE_UDATA4 0x03
#define PE_UDATA8 0x04
#define PE_SLEB 0x09
#define PE_SDATA2 0x0a
#define PE_SDATA4 0x0b
#define PE_SDATA8 0x0c
#define PE_APP 0x70
#define PE_PCREL 0x10
#define PE_INDIRECT 0x80

/* call frame instructions (DW_CFA_*) */
enum {
	CFA_nop = 0x00,
	CFA_set_loc = 0x01,
	CFA_advance_loc1 = 0x02,
	CFA_advance_loc2 = 0x03,
	CFA_advance_loc4 = 0x04,
	CFA_offset_extended = 0x05,
	CFA_restore_extended = 0x06,
	CFA_undefined = 0x07,
	CFA_same_value = 0x08,
	CFA_register = 0x09,
	CFA_remember_state = 0x0a,
	CFA_restore_state = 0x0b,
	CFA_def_cfa = 0x0c,
	CFA_def_cfa_register = 0x0d,
	CFA_def_cfa_offset = 0x0e,
	CFA_def_cfa_expression = 0x0f,
	CFA_expression = 0x10,
	CFA_offset_extended_sf = 0x11,
	CFA_def_cfa_sf = 0x12,
	CFA_def_cfa_offset_sf = 0x13,
	CFA_val_offset = 0x14,
	CFA_val_offset_sf = 0x15,
	CFA_val_expression = 0x16,
	CFA_GNU_window_save = 0x2d,
	CFA_GNU_args_size = 0x2e,
	CFA_GNU_negative_offset_extended = 0x2f,
	CFA_advance_loc = 0x40, /* high two bits */
	CFA_offset = 0x80,
	CFA_restore = 0xc0,
};

/* DWARF expression opcodes the recognized CFA expressions use */
#define OP_deref 0x06
#define OP_and 0x1a
#define OP_plus 0x22
#define OP_shl 0x24
#define OP_ge 0x2a
#define OP_lit0 0x30
#define OP_breg0 0x70

struct cur {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t rd_uleb(struct cur *c)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	while (c->p < c->end) {
		uint8_t b = *c->p++;

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

static int64_t rd_sleb(struct cur *c)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	uint8_t b = 0;

	while (c->p < c->end) {
		b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			if (shift < 64 && (b & 0x40))
				v |= ~0ULL << shift;
			return (int64_t)v;
		}
	}
	c->bad = true;
	return 0;
}

static uint64_t rd_n(struct cur *c, size_t n)
{
	uint64_t v = 0;

	if ((size_t)(c->end - c->p) < n) {
		c->bad = true;
		c->p = c->end;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i); /* little-endian: x86_64 */
	c->p += n;
	return v;
}

static uint8_t rd_u8(struct cur *c)
{
	return (uint8_t)rd_n(c, 1);
}

/*
 * A pointer in encoding @enc, at file address @here (for pc-relative ones). Only the
 * encodings code addresses use in practice; false for the rest (text- and
 * data-relative, indirect), whose FDE is then skipped.
 */
static bool rd_ptr(struct cur *c, uint8_t enc, uint64_t here, uint64_t *out)
{
	uint64_t v;

	if (enc == PE_OMIT || (enc & PE_INDIRECT))
		return false;
	switch (enc & PE_FMT) {
	case PE_ABSPTR:
	case PE_UDATA8:
	case PE_SDATA8:
		v = rd_n(c, 8);
		break;
	case PE_ULEB:
		v = rd_uleb(c);
		break;
	case PE_UDATA2:
		v = rd_n(c, 2);
		break;
	case PE_UDATA4:
		v = rd_n(c, 4);
		break;
	case PE_SLEB:
		v = (uint64_t)rd_sleb(c);
		break;
	case PE_SDATA2:
		v = (uint64_t)(int64_t)(int16_t)rd_n(c, 2);
		break;
	case PE_SDATA4:
		v = (uint64_t)(int64_t)(int32_t)rd_n(c, 4);
		break;
	default:
		return false;
	}
	switch (enc & PE_APP) {
	case 0:
		break;
	case PE_PCREL:
		v += here;
		break;
	default:
		return false;
	}
	*out = v;
	return !c->bad;
}

/* The rule for one register (rbp or the return address). */
enum reg_how { R_SAME, R_UNDEF, R_CFA, R_RBP, R_OTHER };

struct reg_rule {
	uint8_t how; /* enum reg_how */
	int64_t off;
};

struct cfa_state {
	uint8_t cfa;  /* enum unwind_cfa, as computed */
	uint64_t reg; /* DW register of a register CFA */
	int64_t off;  /* its offset, or the expression's constant */
	struct reg_rule rbp, ra;
};

struct cie {
	size_t offset; /* in the section: FDEs name their CIE so */
	uint64_t code_align;
	int64_t data_align;
	uint64_t ra_reg;
	uint8_t fde_enc;
	bool aug_z, signal, ok;
	const uint8_t *insns, *insns_end;
};

#define CIE_CACHE 16
#define STATE_STACK 16

struct parser {
	struct cfi_rows *out;
	const uint8_t *base;
	size_t len;
	uint64_t vaddr;
	bool eh;
	struct cie cies[CIE_CACHE];
	size_t n_cies;
};

static void push_row(struct cfi_rows *out, uint64_t pc, uint8_t how, int16_t cfa_off,
		     int8_t rbp_off)
{
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 1024;
		out->r = xrealloc(out->r, out->cap * sizeof(*out->r));
	}
	out->r[out->n++] = (struct cfi_row){(uint32_t)pc, cfa_off, how, rbp_off};
}

/* The row that state @s makes, in the walker's terms. */
static void emit(struct cfi_rows *out, uint64_t pc, const struct cfa_state *s, bool signal)
{
	uint8_t cfa = s->cfa, rbp = UW_RBP_SAME, scaled = 0;
	int64_t cfa_off = s->off, rbp_off = 0;

	if (signal) {
		push_row(out, pc, UW_HOW(UW_CFA_SIGNAL, UW_RBP_SAME), 0, 0);
		return;
	}
	if (s->ra.how == R_UNDEF) {
		cfa = UW_CFA_END;
		cfa_off = 0;
	} else if (s->ra.how != R_CFA || s->ra.off != -8) {
		cfa = UW_CFA_UNSUPPORTED;
	}
	if ((cfa_off < INT16_MIN || cfa_off > INT16_MAX) && cfa != UW_CFA_END) {
		if (cfa_off % 8 == 0 && cfa_off / 8 >= INT16_MIN && cfa_off / 8 <= INT16_MAX) {
			cfa_off /= 8;
			scaled = UW_SCALED;
		} else {
			cfa = UW_CFA_UNSUPPORTED;
		}
	}
	switch (s->rbp.how) {
	case R_SAME:
		break;
	case R_CFA:
	case R_RBP:
		rbp = s->rbp.how == R_CFA ? UW_RBP_CFA : UW_RBP_RBP;
		rbp_off = s->rbp.off / 8;
		if (s->rbp.off % 8 || rbp_off < INT8_MIN || rbp_off > INT8_MAX)
			rbp = UW_RBP_UNDEF, rbp_off = 0;
		break;
	default:
		rbp = UW_RBP_UNDEF;
	}
	if (cfa == UW_CFA_UNSUPPORTED || cfa == UW_CFA_END) {
		cfa_off = 0;
		scaled = 0;
		if (cfa == UW_CFA_UNSUPPORTED)
			out->unsupported++;
	}
	push_row(out, pc, UW_HOW(cfa | scaled, rbp), (int16_t)cfa_off, (int8_t)rbp_off);
}

/*
 * A CFA expression the walker knows: "*(rbp + N)" (a prologue that realigned the
 * stack: `lea 8(%rsp),%r10; and $-16,%rsp; push -8(%r10); push %rbp; mov %rsp,%rbp;
 * push %r10`), and the PLT's "rsp + 8 + ((rip & 15) >= N) << 3".
 */
static void cfa_expr(struct cfa_state *s, const uint8_t *e, size_t n)
{
	struct cur c = {e, e + n, false};
	static const uint8_t plt_tail[] = {OP_lit0 + 15, OP_and};
	uint8_t op = rd_u8(&c);
	int64_t off;

	s->cfa = UW_CFA_UNSUPPORTED;
	if (op == OP_breg0 + REG_RBP) {
		off = rd_sleb(&c);
		if (rd_u8(&c) == OP_deref && c.p == c.end && !c.bad) {
			s->cfa = UW_CFA_DEREF_RBP;
			s->off = off;
		}
		return;
	}
	if (op != OP_breg0 + REG_RSP || rd_sleb(&c) != 8 || rd_u8(&c) != OP_breg0 + REG_RA ||
	    rd_sleb(&c) != 0 || c.end - c.p != 7 || memcmp(c.p, plt_tail, 2))
		return;
	c.p += 2;
	op = rd_u8(&c); /* the threshold: lit10 or lit11 */
	if (op < OP_lit0 || op > OP_lit0 + 15 || rd_u8(&c) != OP_ge || rd_u8(&c) != OP_lit0 + 3 ||
	    rd_u8(&c) != OP_shl || rd_u8(&c) != OP_plus)
		return;
	s->cfa = UW_CFA_PLT;
	s->off = op - OP_lit0;
}

static void set_cfa_reg(struct cfa_state *s)
{
	s->cfa = s->reg == REG_RSP   ? UW_CFA_RSP
		 : s->reg == REG_RBP ? UW_CFA_RBP
				     : UW_CFA_UNSUPPORTED;
}

static struct reg_rule *reg_of(struct cfa_state *s, uint64_t reg)
{
	return reg == REG_RBP ? &s->rbp : reg == REG_RA ? &s->ra : NULL;
}

static void set_reg(struct cfa_state *s, uint64_t reg, uint8_t how, int64_t off)
{
	struct reg_rule *r = reg_of(s, reg);

	if (r)
		*r = (struct reg_rule){how, off};
}

/* An operand times the data alignment factor, wrapping (garbage in, a rule refused out). */
static int64_t factored(uint64_t v, int64_t align)
{
	return (int64_t)(v * (uint64_t)align);
}

/* What an instruction did: handled, not one of this kind, or a malformed one. */
enum { OP_DONE = 1, OP_OTHER = 0, OP_BAD = -1 };

/* The instructions that set a register's rule. */
static int reg_rule_op(uint8_t op, struct cur *c, const struct cie *cie, struct cfa_state *s,
		       const struct cfa_state *init)
{
	uint64_t reg;
	int64_t off;
	size_t n;
	struct cur e;

	switch (op) {
	case CFA_offset_extended:
		reg = rd_uleb(c);
		set_reg(s, reg, R_CFA, factored(rd_uleb(c), cie->data_align));
		return OP_DONE;
	case CFA_offset_extended_sf:
		reg = rd_uleb(c);
		set_reg(s, reg, R_CFA, factored((uint64_t)rd_sleb(c), cie->data_align));
		return OP_DONE;
	case CFA_GNU_negative_offset_extended:
		reg = rd_uleb(c);
		set_reg(s, reg, R_CFA, factored(-rd_uleb(c), cie->data_align));
		return OP_DONE;
	case CFA_restore_extended:
		reg = rd_uleb(c);
		if (init && reg_of(s, reg))
			*reg_of(s, reg) = *reg_of((struct cfa_state *)init, reg);
		return OP_DONE;
	case CFA_undefined:
		set_reg(s, rd_uleb(c), R_UNDEF, 0);
		return OP_DONE;
	case CFA_same_value:
		set_reg(s, rd_uleb(c), R_SAME, 0);
		return OP_DONE;
	case CFA_register:
	case CFA_val_offset:
	case CFA_val_offset_sf:
		/* held in another register, or a value: rules the walker does not follow
		 * (the operand, signed or not, is one LEB128 to skip) */
		reg = rd_uleb(c);
		rd_uleb(c);
		set_reg(s, reg, R_OTHER, 0);
		return OP_DONE;
	case CFA_expression:
	case CFA_val_expression:
		reg = rd_uleb(c);
		n = rd_uleb(c);
		if ((size_t)(c->end - c->p) < n)
			return OP_BAD;
		e = (struct cur){c->p, c->p + n, false};
		c->p += n;
		/* rbp saved at rbp + N (the realigning prologue above) */
		if (op == CFA_expression && reg == REG_RBP && rd_u8(&e) == OP_breg0 + REG_RBP &&
		    (off = rd_sleb(&e), e.p == e.end && !e.bad))
			set_reg(s, reg, R_RBP, off);
		else
			set_reg(s, reg, R_OTHER, 0);
		return OP_DONE;
	default:
		return OP_OTHER;
	}
}

/* The instructions that define the CFA. */
static int cfa_def_op(uint8_t op, struct cur *c, const struct cie *cie, struct cfa_state *s)
{
	int64_t off;
	size_t n;

	switch (op) {
	case CFA_def_cfa:
		s->reg = rd_uleb(c);
		s->off = (int64_t)rd_uleb(c);
		set_cfa_reg(s);
		return OP_DONE;
	case CFA_def_cfa_sf:
		s->reg = rd_uleb(c);
		s->off = factored((uint64_t)rd_sleb(c), cie->data_align);
		set_cfa_reg(s);
		return OP_DONE;
	case CFA_def_cfa_register:
		s->reg = rd_uleb(c);
		set_cfa_reg(s);
		return OP_DONE;
	/* a new offset for a register CFA; after an expression it means nothing (as
	 * libgcc's unwinder takes it): the expression stays */
	case CFA_def_cfa_offset:
		off = (int64_t)rd_uleb(c);
		if (s->cfa == UW_CFA_RSP || s->cfa == UW_CFA_RBP)
			s->off = off;
		return OP_DONE;
	case CFA_def_cfa_offset_sf:
		off = factored((uint64_t)rd_sleb(c), cie->data_align);
		if (s->cfa == UW_CFA_RSP || s->cfa == UW_CFA_RBP)
			s->off = off;
		return OP_DONE;
	case CFA_def_cfa_expression:
		n = rd_uleb(c);
		if ((size_t)(c->end - c->p) < n)
			return OP_BAD;
		cfa_expr(s, c->p, n);
		c->p += n;
		return OP_DONE;
	default:
		return OP_OTHER;
	}
}

/*
 * An instruction that moves the location: by how many code units into *@delta (from
 * *@loc with DW_CFA_set_loc). OP_OTHER if @op is none.
 */
static int advance_op(uint8_t op, struct cur *c, struct parser *ps, const struct cie *cie,
		      uint64_t loc, uint64_t *delta)
{
	uint64_t to;

	switch (op & 0xc0) {
	case CFA_advance_loc:
		*delta = op & 0x3f;
		return OP_DONE;
	case 0:
		break;
	default:
		return OP_OTHER;
	}
	switch (op) {
	case CFA_set_loc:
		if (!rd_ptr(c, cie->fde_enc, ps->vaddr + (uint64_t)(c->p - ps->base), &to) ||
		    to < loc)
			return OP_BAD;
		*delta = (to - loc) / (cie->code_align ? cie->code_align : 1);
		return OP_DONE;
	case CFA_advance_loc1:
		*delta = rd_n(c, 1);
		return OP_DONE;
	case CFA_advance_loc2:
		*delta = rd_n(c, 2);
		return OP_DONE;
	case CFA_advance_loc4:
		*delta = rd_n(c, 4);
		return OP_DONE;
	default:
		return OP_OTHER;
	}
}

/*
 * Run CFA instructions [@p, @end) from state @s, at @loc, emitting a row at each
 * advance. @init is the CIE's state (for DW_CFA_restore), NULL while running the CIE's
 * own instructions. Returns false on an instruction it does not know.
 */
static bool run_cfa(struct parser *ps, const struct cie *cie, const uint8_t *p, const uint8_t *end,
		    struct cfa_state *s, const struct cfa_state *init, uint64_t *loc,
		    uint64_t loc_end)
{
	struct cfa_state stack[STATE_STACK];
	size_t depth = 0;
	struct cur c = {p, end, false};
	bool emitting = init != NULL;

	while (c.p < c.end && !c.bad) {
		uint8_t op = rd_u8(&c), low = op & 0x3f;
		uint64_t delta = 0;
		int done;

		if ((done = advance_op(op, &c, ps, cie, *loc, &delta)) == OP_DONE) {
			if (!emitting)
				return false; /* a CIE does not advance */
			delta *= cie->code_align;
			if (delta && *loc < loc_end) {
				emit(ps->out, *loc, s, cie->signal);
				*loc += delta;
			}
			continue;
		}
		if (done == OP_BAD)
			return false;
		switch (op & 0xc0) {
		case CFA_offset:
			set_reg(s, low, R_CFA, factored(rd_uleb(&c), cie->data_align));
			continue;
		case CFA_restore:
			if (init && reg_of(s, low))
				*reg_of(s, low) = *reg_of((struct cfa_state *)init, low);
			continue;
		}
		if ((done = reg_rule_op(op, &c, cie, s, init)) ||
		    (done = cfa_def_op(op, &c, cie, s))) {
			if (done == OP_BAD)
				return false;
			continue;
		}
		switch (op) {
		case CFA_nop:
		case CFA_GNU_window_save:
			continue;
		case CFA_remember_state:
			if (depth == STATE_STACK)
				return false;
			stack[depth++] = *s;
			continue;
		case CFA_restore_state:
			if (!depth)
				return false;
			/* the CFA is restored too: DWARF 5 says only registers, but every
			 * producer and consumer restores the whole row */
			*s = stack[--depth];
			continue;
		case CFA_GNU_args_size:
			rd_uleb(&c);
			continue;
		default:
			return false;
		}
	}
	return !c.bad;
}

static bool parse_cie(struct parser *ps, size_t off, struct cie *cie)
{
	struct cur c = {ps->base + off, ps->base + ps->len, false};
	uint64_t len = rd_n(&c, 4), id;
	const char *aug;
	size_t id_size = 4;
	uint8_t version;

	memset(cie, 0, sizeof(*cie));
	cie->offset = off;
	cie->fde_enc = ps->eh ? PE_ABSPTR : PE_UDATA8;
	if (len == 0xffffffff) {
		len = rd_n(&c, 8);
		id_size = 8;
	}
	if (c.bad || len > (uint64_t)(c.end - c.p))
		return false;
	c.end = c.p + len;
	id = rd_n(&c, id_size);
	if (ps->eh ? id != 0 : id != (id_size == 4 ? 0xffffffffULL : ~0ULL))
		return false;
	version = rd_u8(&c);
	if (version != 1 && version != 3 && version != 4)
		return false;
	aug = (const char *)c.p;
	while (c.p < c.end && *c.p)
		c.p++;
	if (c.p == c.end)
		return false;
	c.p++;
	if (version == 4) {
		if (rd_u8(&c) != 8) /* address size */
			return false;
		rd_u8(&c); /* segment selector size */
	}
	cie->code_align = rd_uleb(&c);
	cie->data_align = rd_sleb(&c);
	cie->ra_reg = version == 1 ? rd_u8(&c) : rd_uleb(&c);
	if (aug[0] == 'z') {
		uint64_t alen = rd_uleb(&c);
		const uint8_t *aend = c.p + alen;

		if (alen > (uint64_t)(c.end - c.p))
			return false;
		cie->aug_z = true;
		for (const char *a = aug + 1; *a; a++) {
			uint64_t ignored;
			uint8_t enc;

			switch (*a) {
			case 'R':
				cie->fde_enc = rd_u8(&c);
				break;
			case 'L':
				rd_u8(&c);
				break;
			case 'P':
				enc = rd_u8(&c);
				/* the personality routine's address: read to skip it */
				if (!rd_ptr(&c, enc & ~PE_INDIRECT, 0, &ignored) &&
				    (enc & PE_APP) == 0)
					return false;
				break;
			case 'S':
				cie->signal = true;
				break;
			case 'B': /* aarch64 pointer authentication: not ours */
			case 'G': /* MTE tagged frames */
				break;
			default:
				return false;
			}
		}
		c.p = aend;
	} else if (aug[0]) {
		return false; /* "eh" and other old augmentations */
	}
	if (c.bad || cie->ra_reg != REG_RA)
		return false;
	cie->insns = c.p;
	cie->insns_end = c.end;
	cie->ok = true;
	return true;
}

static const struct cie *cie_at(struct parser *ps, size_t off)
{
	struct cie *slot;

	for (size_t i = 0; i < ps->n_cies; i++)
		if (ps->cies[i].offset == off)
			return ps->cies[i].ok ? &ps->cies[i] : NULL;
	/* most files have one or two CIEs: a small cache, replaced round robin */
	slot = &ps->cies[ps->n_cies < CIE_CACHE ? ps->n_cies++ : off % CIE_CACHE];
	if (off >= ps->len || !parse_cie(ps, off, slot)) {
		slot->offset = off;
		slot->ok = false;
		return NULL;
	}
	return slot;
}

/* One FDE at @off (its length field) whose CIE pointer is @id, body [@c->p, @c->end). */
static void parse_fde(struct parser *ps, struct cur *c, uint64_t id, size_t id_field)
{
	struct cfa_state init = {.cfa = UW_CFA_UNSUPPORTED}, s;
	uint64_t pc, range, loc;
	const struct cie *cie;
	size_t cie_off;

	ps->out->fdes++;
	cie_off = ps->eh ? id_field - (size_t)id : (size_t)id;
	if ((ps->eh && id > id_field) || !(cie = cie_at(ps, cie_off)))
		goto bad;
	if (!rd_ptr(c, cie->fde_enc, ps->vaddr + (uint64_t)(c->p - ps->base), &pc) ||
	    !rd_ptr(c, cie->fde_enc & PE_FMT, 0, &range))
		goto bad;
	if (cie->aug_z) {
		uint64_t alen = rd_uleb(c);

		if (c->bad || alen > (uint64_t)(c->end - c->p))
			goto bad;
		c->p += alen;
	}
	/* an FDE of a discarded function (linkers leave them at 0), or out of our range */
	if (!range || !pc || pc > UINT32_MAX || range > UINT32_MAX - pc)
		return;
	if (ps->out->n_funcs == ps->out->funcs_cap) {
		ps->out->funcs_cap = ps->out->funcs_cap ? ps->out->funcs_cap * 2 : 256;
		ps->out->funcs =
			xrealloc(ps->out->funcs, ps->out->funcs_cap * sizeof(*ps->out->funcs));
	}
	ps->out->funcs[ps->out->n_funcs++] = (uint32_t)pc;
	init.ra = (struct reg_rule){R_SAME, 0};
	init.rbp = (struct reg_rule){R_SAME, 0};
	loc = pc;
	if (!run_cfa(ps, cie, cie->insns, cie->insns_end, &init, NULL, &loc, pc + range))
		goto bad;
	s = init;
	if (!run_cfa(ps, cie, c->p, c->end, &s, &init, &loc, pc + range)) {
		/* rows up to the instruction we do not know stand; the rest is unknown */
		if (loc < pc + range)
			push_row(ps->out, loc, UW_HOW(UW_CFA_UNSUPPORTED, UW_RBP_SAME), 0, 0);
		ps->out->unsupported++;
		ps->out->fdes_bad++;
	} else if (loc < pc + range) {
		emit(ps->out, loc, &s, cie->signal);
	}
	/* the end of the range: a gap, unless the next FDE starts here (finish sorts it) */
	push_row(ps->out, pc + range, UW_HOW(UW_CFA_NONE, UW_RBP_SAME), 0, 0);
	return;
bad:
	ps->out->fdes_bad++;
}

int cfi_parse(struct cfi_rows *out, const uint8_t *buf, size_t len, uint64_t vaddr, bool eh)
{
	struct parser ps = {out, buf, len, vaddr, eh, {{0}}, 0};
	size_t off = 0;

	while (off + 4 <= len) {
		struct cur c = {buf + off, buf + len, false};
		uint64_t elen = rd_n(&c, 4), id;
		size_t id_size = 4, id_field;

		if (elen == 0) {
			if (eh)
				break; /* the terminator */
			off += 4;
			continue;
		}
		if (elen == 0xffffffff) {
			elen = rd_n(&c, 8);
			id_size = 8;
		}
		if (c.bad || elen > (uint64_t)(c.end - c.p) || elen < id_size)
			return off ? 0 : -EINVAL;
		c.end = c.p + elen;
		id_field = (size_t)(c.p - buf);
		id = rd_n(&c, id_size);
		if (!(eh ? id == 0 : id == (id_size == 4 ? 0xffffffffULL : ~0ULL)))
			parse_fde(&ps, &c, id, id_field);
		off = (size_t)(c.end - buf);
	}
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct cfi_row *x = a, *y = b;

	if (x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	/* at one address, a rule wins over the end of the FDE before it */
	return (UW_HOW_CFA(x->how) != UW_CFA_NONE) - (UW_HOW_CFA(y->how) != UW_CFA_NONE);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void cfi_rows_finish(struct cfi_rows *out)
{
	size_t k = 0;

	if (out->n_funcs)
		qsort(out->funcs, out->n_funcs, sizeof(*out->funcs), cmp_u32);
	if (!out->n)
		return;
	qsort(out->r, out->n, sizeof(*out->r), cmp_row);
	for (size_t i = 0; i < out->n; i++) {
		struct cfi_row *r = &out->r[i];

		/* several rows at one address: the last (a rule, by the sort) holds */
		if (k && out->r[k - 1].pc == r->pc) {
			out->r[k - 1] = *r;
			/* ...which may now say what the row before it says */
			if (k >= 2 && out->r[k - 2].how == r->how &&
			    out->r[k - 2].cfa_off == r->cfa_off &&
			    out->r[k - 2].rbp_off == r->rbp_off)
				k--;
			continue;
		}
		if (k && out->r[k - 1].how == r->how && out->r[k - 1].cfa_off == r->cfa_off &&
		    out->r[k - 1].rbp_off == r->rbp_off)
			continue;
		out->r[k++] = *r;
	}
	out->n = k;
}

uint32_t cfi_func_start(const uint32_t *funcs, size_t n, uint64_t pc)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (funcs[mid] <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? funcs[lo - 1] : 0;
}

const struct cfi_row *cfi_lookup(const struct cfi_rows *rows, uint64_t pc)
{
	size_t lo = 0, hi = rows->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rows->r[mid].pc <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &rows->r[lo - 1] : NULL;
}

static int from_elf(struct cfi_rows *out, Elf *elf)
{
	Elf_Scn *scn = NULL, *eh = NULL, *dbg = NULL;
	size_t shstrndx;
	GElf_Ehdr eh_hdr;
	GElf_Shdr sh;
	Elf_Data *d;
	int err = -ENOENT;

	if (!elf)
		return -EINVAL;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh_hdr) ||
	    eh_hdr.e_machine != EM_X86_64 || elf_getshdrstrndx(elf, &shstrndx)) {
		err = -EINVAL;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
		    !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(name, ".eh_frame"))
			eh = scn;
		else if (!strcmp(name, ".debug_frame"))
			dbg = scn;
	}
	scn = eh ? eh : dbg;
	if (!scn || !gelf_getshdr(scn, &sh) || !(d = elf_getdata(scn, NULL)) || !d->d_buf)
		goto out;
	if (sh.sh_addr + sh.sh_size > UINT32_MAX) {
		err = -E2BIG;
		goto out;
	}
	err = cfi_parse(out, d->d_buf, d->d_size, sh.sh_addr, scn == eh);
	cfi_rows_finish(out);
out:
	elf_end(elf);
	return err;
}

int cfi_rows_from_fd(struct cfi_rows *out, int fd)
{
	elf_version(EV_CURRENT);
	return from_elf(out, elf_begin(fd, ELF_C_READ_MMAP, NULL));
}

int cfi_rows_from_mem(struct cfi_rows *out, const void *image, size_t size)
{
	elf_version(EV_CURRENT);
	return from_elf(out, elf_memory((char *)image, size));
}

void cfi_rows_release(struct cfi_rows *rows)
{
	free(rows->r);
	free(rows->funcs);
	memset(rows, 0, sizeof(*rows));
}
