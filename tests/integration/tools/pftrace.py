#!/usr/bin/env python3
"""Read a Perfetto trace as procscope --trace writes it, with a protobuf wire decoder
of its own (not procscope's encoder), and print what the tests check, as JSON:

  state_ns     {pid: {state: ns}}  slices on thread tracks, by interned name
  threads      [{uuid, pid, tid, name}]
  processes    [{uuid, pid, name, cmdline}]
  tree         [{pid, ppid}]       the ProcessTree packet
  tracks       {uuid: {name, parent}}   named tracks (tree, path, findings)
  slices       {track name: [slice names]}  on named tracks, in time order
  instants     [{pid, name, ts}]   on process tracks, with the process's pid
  spans        {pid: [first, last]}  the earliest start and latest end of its threads' slices
  wakes        {pid: n}            wake-ups made by the threads of each process
  flows        {out, in, unmatched}
  overlaps     slices on one thread track that overlap (must be 0)
  misnested    slices on a named track that partly overlap (must be 0)
  counters     {track name: [values]}
  first_ts, last_ts
Field numbers: Perfetto's protos/perfetto/trace (see src/trace.c)."""
import json
import struct
import sys
from collections import defaultdict


def fields(buf):
    """(field, wire type, value) of a message: ints for varints and fixed64, bytes for
    length-delimited fields."""
    i, n = 0, len(buf)
    while i < n:
        key, i = varint(buf, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v = struct.unpack_from("<Q", buf, i)[0]
            i += 8
        elif wt == 2:
            ln, i = varint(buf, i)
            v = buf[i:i + ln]
            if len(v) != ln:
                raise ValueError("truncated field %d" % f)
            i += ln
        elif wt == 5:
            v = struct.unpack_from("<I", buf, i)[0]
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        yield f, wt, v


def varint(buf, i):
    shift = v = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v, i
        shift += 7


def msg(buf):
    """field -> list of values"""
    d = defaultdict(list)
    for f, _, v in fields(buf):
        d[f].append(v)
    return d


def one(d, f, default=None):
    return d[f][-1] if d.get(f) else default


def s(b):
    return b.decode("utf-8", "replace") if isinstance(b, bytes) else b


def signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def main(path):
    data = open(path, "rb").read()
    names = {}
    threads, processes, tracks, counters_desc = {}, {}, {}, {}
    tree = []
    events = []  # (ts, order, track, type, name, flow_out, flow_in, counter)
    order = 0
    for f, _, pkt in fields(data):
        if f != 1:
            raise ValueError("Trace has field %d" % f)
        p = msg(pkt)
        if 12 in p:  # interned data
            for en in msg(one(p, 12))[2]:
                e = msg(en)
                names[one(e, 1)] = s(one(e, 2))
        if 60 in p:  # track descriptor
            td = msg(one(p, 60))
            uuid = one(td, 1)
            if 4 in td:
                th = msg(one(td, 4))
                threads[uuid] = {"uuid": uuid, "pid": one(th, 1), "tid": one(th, 2),
                                 "name": s(one(th, 5, b""))}
            elif 3 in td:
                pd = msg(one(td, 3))
                processes[uuid] = {"uuid": uuid, "pid": one(pd, 1), "name": s(one(pd, 6, b"")),
                                   "cmdline": [s(c) for c in pd[2]]}
            elif 8 in td:
                counters_desc[uuid] = s(one(td, 2, b""))
            else:
                tracks[uuid] = {"name": s(one(td, 2, b"")), "parent": one(td, 5, 0)}
        if 2 in p:  # process tree
            pt = msg(one(p, 2))
            for pr in pt[1]:
                m = msg(pr)
                tree.append({"pid": one(m, 1), "ppid": one(m, 2, 0)})
        if 11 in p:  # track event
            te = msg(one(p, 11))
            name = s(one(te, 23)) if 23 in te else names.get(one(te, 10))
            counter = None
            if 44 in te:
                counter = struct.unpack("<d", struct.pack("<Q", one(te, 44)))[0]
            elif 30 in te:
                counter = signed(one(te, 30))
            events.append((one(p, 8, 0), order, one(te, 11, 0), one(te, 9, 0), name,
                           te.get(47, []), te.get(48, []), counter))
            order += 1
    events.sort(key=lambda e: (e[0], e[1]))
    state_ns = defaultdict(lambda: defaultdict(int))
    slices = defaultdict(list)
    instants, counters = [], defaultdict(list)
    wakes = defaultdict(int)
    flows_out, flows_in = set(), set()
    overlaps = misnested = 0
    open_ = defaultdict(list)  # track -> stack of (ts, name)
    last_end = {}
    spans = {}
    for ts, _, track, typ, name, fout, fin, counter in events:
        flows_out.update(fout)
        flows_in.update(fin)
        if typ == 1:
            if track in threads and open_[track]:
                overlaps += 1
            open_[track].append((ts, name))
            if track in tracks:
                slices[tracks[track]["name"]].append(name)
        elif typ == 2:
            if not open_[track]:
                misnested += 1
                continue
            start, sname = open_[track].pop()
            if track in threads:
                if last_end.get(track, 0) > start:
                    overlaps += 1
                last_end[track] = ts
                state_ns[threads[track]["pid"]][sname] += ts - start
                span = spans.setdefault(threads[track]["pid"], [start, ts])
                span[0], span[1] = min(span[0], start), max(span[1], ts)
        elif typ == 3:
            if track in processes:
                instants.append({"pid": processes[track]["pid"], "name": name, "ts": ts})
            elif track in threads and name == "wakes":
                wakes[threads[track]["pid"]] += 1
        elif typ == 4:
            counters[counters_desc.get(track, str(track))].append(counter)
    misnested += sum(len(v) for v in open_.values())
    out = {
        "state_ns": state_ns,
        "threads": list(threads.values()),
        "processes": list(processes.values()),
        "tree": tree,
        "tracks": tracks,
        "slices": slices,
        "instants": instants,
        "spans": spans,
        "wakes": wakes,
        "flows": {"out": len(flows_out), "in": len(flows_in),
                  "unmatched": len(flows_out ^ flows_in)},
        "overlaps": overlaps,
        "misnested": misnested,
        "counters": counters,
        "first_ts": events[0][0] if events else 0,
        "last_ts": events[-1][0] if events else 0,
    }
    json.dump(out, sys.stdout, default=dict)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
