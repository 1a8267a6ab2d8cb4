/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unwinding user stacks without frame pointers, shared by bpf/unwind.h and userspace.
 *
 * Userspace turns each mapped file's call frame information (.eh_frame, or
 * .debug_frame) into compact rows -- from this address on, the caller's frame is found
 * so -- and writes them into three arrays the BPF programs read (all mmap'ed, written in
 * place, never copied through syscalls):
 *
 *   unwind_rows   the rows of every file loaded, each file's sorted by address
 *   unwind_files  file id -> its rows [first, first + n)
 *   unwind_maps   the executable mappings of each process (by slot, see unwind_dir),
 *                 sorted by address: address range -> file id and load bias
 *   unwind_dir    slot -> its mappings [first, first + n) in unwind_maps
 *
 * A user stack walked this way is a list of frames, each either a file id and an
 * address in that file (FRAME_FILE: symbolized with no need for the process, even
 * after it exited) or a bare address (in no mapped file: JIT code, or the process's
 * mappings were not loaded yet and frame pointers took over).
 *
 * x86_64 only: the rules know rsp, rbp and the return address at CFA - 8.
 */
#ifndef PROCSCOPE_UNWIND_ABI_H
#define PROCSCOPE_UNWIND_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define UNWIND_DEPTH 127     /* user frames walked, as perf's default */
#define UNWIND_MAPS_MAX 1024 /* executable mappings of one process */
#define UNWIND_SEARCH 24     /* binary search steps: files of up to 16M rows */

/* How the canonical frame address (the caller's stack pointer) is found. */
enum unwind_cfa {
	UW_CFA_NONE = 0,	/* no rule here: code without unwind information */
	UW_CFA_RSP = 1,		/* rsp + off */
	UW_CFA_RBP = 2,		/* rbp + off */
	UW_CFA_PLT = 3,		/* a PLT entry: rsp + 8, + 8 more once (ip & 15) >= off */
	UW_CFA_DEREF_RBP = 4,	/* *(rbp + off): a function that realigned its stack */
	UW_CFA_END = 5,		/* the outermost frame (_start, a thread's start): done */
	UW_CFA_SIGNAL = 6,	/* a signal trampoline: registers saved in the ucontext */
	UW_CFA_UNSUPPORTED = 7, /* a rule the walker does not follow: the stack ends here */
};

/* Where the caller's rbp is. */
enum unwind_rbp {
	UW_RBP_SAME = 0,  /* unchanged */
	UW_RBP_CFA = 1,	  /* saved at CFA + 8 * off */
	UW_RBP_RBP = 2,	  /* saved at rbp + 8 * off */
	UW_RBP_UNDEF = 3, /* lost: a later rule that needs rbp ends the walk */
};

struct unwind_row {
	__u32 pc;      /* file address (ELF vaddr) from which this rule holds */
	__s16 cfa_off; /* see enum unwind_cfa; in 8-byte units with UW_SCALED */
	__u8 how;      /* enum unwind_cfa | UW_SCALED | enum unwind_rbp << 4 */
	__s8 rbp_off;  /* in 8-byte units */
};

/* cfa_off counts 8-byte units: frames of 32 KiB and more (large arrays on the stack) */
#define UW_SCALED 8
#define UW_HOW(cfa, rbp) ((__u8)((cfa) | ((rbp) << 4)))
#define UW_HOW_CFA(how) ((how)&7)
#define UW_HOW_RBP(how) ((how) >> 4)

struct unwind_file {
	__u32 first; /* index into unwind_rows */
	__u32 n;
	__s64 text_delta; /* the code segment's p_vaddr - p_offset: a mapping's bias from its VMA */
};

/* A file by its inode, as the kernel names it (unwind_inodes: -> file id). */
struct unwind_inode {
	__u64 ino;
	__u32 dev; /* the kernel's dev_t: major << 20 | minor */
	__u32 pad;
};

struct unwind_map {
	__u64 start, end; /* [start, end) in the process */
	__u64 bias;	  /* file address = address - bias */
	__u32 file_id;	  /* 0: no rows (a file procscope could not read): frame pointers */
	__u32 pad;
};

/* Per slot: its mappings. Written by userspace as one 8-byte store (first | n << 32). */
struct unwind_dir {
	__u32 first;
	__u32 n;
	__u64 maps_ns;	  /* userspace: when it read them (CLOCK_MONOTONIC), against exec_ns */
	__u64 miss_ns;	  /* BPF: when it last asked for the mappings again */
	__u64 py_runtime; /* a Python process: its _PyRuntime, else 0 */
	__u32 py_layout;  /* ... and its layout in py_layouts */
	__u32 pad;
};

/*
 * A frame: FRAME_FILE set, the file id in bits 48-62 and the file address below; else a
 * bare address (user addresses stay below 2^47, or 2^56 with 5-level paging).
 */
#define FRAME_FILE (1ULL << 63)
#define FRAME_FILE_SHIFT 48
#define FRAME_ADDR_MASK ((1ULL << FRAME_FILE_SHIFT) - 1)
#define FRAME_FILE_MAX 0x7ffd

/*
 * A Python frame: two entries after the native frames, FRAME_PY_AT then FRAME_PY_CODE
 * (file ids no file gets). FRAME_PY_AT holds the process (its tgid, as py_codes is
 * keyed), a stamp of the code object (its name's, file's and first line's: a code
 * object freed -- a module's, once imported -- leaves its address to another), the
 * instruction's index in the code and whether the frame is the first a call of the
 * interpreter's eval function ran ("entry": a group of Python frames ends there,
 * spliced where that native frame is); FRAME_PY_CODE the code object's address.
 */
#define FRAME_PY_AT (FRAME_FILE | 0x7ffeULL << FRAME_FILE_SHIFT)
#define FRAME_PY_CODE (FRAME_FILE | 0x7fffULL << FRAME_FILE_SHIFT)
#define FRAME_PY_MASK (FRAME_FILE | 0x7fffULL << FRAME_FILE_SHIFT)
#define FRAME_PY_ENTRY 1ULL
#define FRAME_PY_IDX_SHIFT 1
#define FRAME_PY_IDX_MAX 0xffffULL /* 16 bits */
#define FRAME_PY_STAMP_SHIFT 17	   /* 8 bits: which code object was at the address */
#define FRAME_PY_STAMP_MAX 0xffULL
#define FRAME_PY_TGID_SHIFT 25 /* 23 bits: above pid_max's 4M */
#define PY_DEPTH 40	       /* Python frames walked */
#define PY_THREADS 64	       /* thread states searched for the current thread's */

/*
 * Where CPython keeps what the walker reads, for one interpreter version: offsets
 * into its structures. Userspace fills py_layouts[] (a layout per known version) and
 * names each Python process's layout and _PyRuntime's address in its unwind_dir.
 */
struct py_layout {
	__u16 rt_interp_head;	/* _PyRuntime.interpreters.head */
	__u16 is_threads_head;	/* PyInterpreterState.threads.head */
	__u16 ts_next;		/* PyThreadState.next */
	__u16 ts_native_tid;	/* PyThreadState.native_thread_id */
	__u16 ts_cframe;	/* PyThreadState.cframe */
	__u16 cf_current_frame; /* _PyCFrame.current_frame */
	__u16 fr_code;		/* _PyInterpreterFrame.f_code */
	__u16 fr_previous;	/* _PyInterpreterFrame.previous */
	__u16 fr_prev_instr;	/* _PyInterpreterFrame.prev_instr */
	__u16 fr_is_entry;	/* _PyInterpreterFrame.is_entry (0: none) */
	__u16 fr_owner;		/* _PyInterpreterFrame.owner */
	__u16 co_code_adaptive; /* PyCodeObject.co_code_adaptive: the instructions */
	__u16 co_firstlineno;	/* PyCodeObject.co_firstlineno */
	__u16 co_filename;	/* PyCodeObject.co_filename */
	__u16 co_qualname;	/* PyCodeObject.co_qualname */
	__u16 co_linetable;	/* PyCodeObject.co_linetable */
	__u16 str_length;	/* PyASCIIObject.length */
	__u16 str_state;	/* PyASCIIObject.state: compact 0x20, ascii 0x40 */
	__u16 str_ascii_data;	/* a compact ASCII string's text */
	__u16 str_utf8;		/* PyCompactUnicodeObject.utf8 */
	__u16 bytes_size;	/* PyVarObject.ob_size */
	__u16 bytes_data;	/* PyBytesObject.ob_sval */
	__u8 owner_cstack;	/* owner of the C stack's shim frames; 0xff: none */
	__u8 pad[3];
};

#define PY_LAYOUTS 4
#define PY_NAME_MAX 80
#define PY_FILE_MAX 120
#define PY_LINES_MAX 288

/* py_codes: a code object of a process, read once by the walker */
struct py_code_key {
	__u64 code;
	__u32 tgid;
	__u32 stamp;
};

struct py_code {
	__s32 firstlineno;
	__u16 lines_len; /* bytes of co_linetable kept (at most PY_LINES_MAX) */
	__u8 file_cut;	 /* the file name's start was cut to fit */
	__u8 pad;
	char qualname[PY_NAME_MAX];
	char file[PY_FILE_MAX];
	__u8 lines[PY_LINES_MAX]; /* co_linetable: a varint code (locations table) */
};

/* How a walk ended: a user stack's flags (stack_user.flags). */
enum unwind_end {
	UW_END_COMPLETE = 1, /* reached the outermost frame */
	UW_END_DEPTH = 2,    /* UNWIND_DEPTH frames */
	UW_END_NOINFO = 3,   /* an address with no rule and no usable frame pointer */
	UW_END_READ = 4,     /* the stack could not be read (a page not present) */
	UW_END_RULE = 5,     /* a rule the walker does not follow */
	UW_END_FP = 6,	     /* walked with frame pointers: mappings not loaded yet */
	UW_END_BAD = 7,	     /* the stack pointer went down, or the address is not code */
};

/* A user stack walked in BPF, stored once under its hash (stacks_unwound). */
struct stack_user {
	__u32 n;     /* frames, leaf first */
	__u32 flags; /* enum unwind_end */
	__u64 frames[UNWIND_DEPTH];
};

#endif
