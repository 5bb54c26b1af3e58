// Renders the suite's JSON results as Markdown: the issue's targets (met or not) first, then
// one section per runtime with every table.

const fmtNs = (ns) =>
  ns >= 100_000
    ? `${(ns / 1000).toFixed(0)} µs`
    : ns >= 10_000
      ? `${(ns / 1000).toFixed(1)} µs`
      : `${ns.toFixed(ns < 10 ? 1 : 0)} ns`;
const fmtRatio = (r) => (r == null ? "—" : `${r.toFixed(2)}×`);
const fmtTicks = (t) => (t == null ? "—" : Number.isInteger(t) ? String(t) : t.toFixed(2));
const fmtBytes = (b) => (b == null ? "—" : `${b.toFixed(1)} B`);
const cell = (s) => String(s).replaceAll("|", "\\|");

function opsTable(group) {
  const lines = [`| case | ticks | time/op (median) | min – max | × baseline |`, `|---|---:|---:|---:|---:|`];
  for (const [i, row] of group.rows.entries()) {
    const name = i === 0 ? `**${row.name}** (baseline)` : row.name;
    const label = row.note ? `${name} ¹` : name;
    if (row.failed) {
      lines.push(`| ${cell(label)} | — | ${cell(row.failed)} | | |`);
      continue;
    }
    lines.push(
      `| ${cell(label)} | ${fmtTicks(row.ticks)} | ${fmtNs(row.ns)} | ${fmtNs(row.min)} – ${fmtNs(row.max)} | ${fmtRatio(row.ratio)} |`,
    );
  }
  const notes = group.rows.filter((r) => r.note).map((r) => `${r.name}: ${r.note}`);
  if (notes.length) lines.push("", ...notes.map((n) => `¹ ${n}.`));
  return lines.join("\n");
}

function stackTable(groups) {
  const sizes = groups.map((g) => g.rows[0].n);
  const names = [...new Set(groups.flatMap((g) => g.rows.map((r) => r.name)))];
  const head = `| implementation | ${sizes.map((n) => `${n.toLocaleString("en-US")}: ns/callback (× floor)`).join(" | ")} | heap/callback at ${sizes.at(-1).toLocaleString("en-US")} |`;
  const lines = [head, `|---|${sizes.map(() => "---:").join("|")}|---:|`];
  for (const name of names) {
    const cells = groups.map((g) => {
      const row = g.rows.find((r) => r.name === name);
      if (!row) return "—";
      if (row.failed) return cell(row.failed);
      return `${fmtNs(row.ns)} (${fmtRatio(row.ratio)})`;
    });
    const last = groups.at(-1).rows.find((r) => r.name === name);
    const bytes = last && !last.failed ? fmtBytes(last.bytesPerCallback) : "—";
    lines.push(`| ${cell(name)} | ${cells.join(" | ")} | ${bytes} |`);
  }
  return lines.join("\n");
}

function memoryTable(group) {
  const lines = [
    `| 1,000,000 cycles of | time/cycle | heap growth after GC | per cycle | peak heap above start (garbage included) |`,
    `|---|---:|---:|---:|---:|`,
  ];
  for (const row of group.rows) {
    const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
    lines.push(
      `| ${cell(row.name)} | ${fmtNs(row.ns)} | ${kib(row.growthBytes)} | ${row.bytesPerCycle.toFixed(3)} B | ${kib(row.peakAboveStartBytes)} |`,
    );
  }
  return lines.join("\n");
}

const find = (result, groupPrefix, caseName) =>
  result.groups.find((g) => g.name.startsWith(groupPrefix))?.rows.find((r) => r.name === caseName && !r.failed);

/** The issue's targets, judged from one runtime's results. */
function targets(result) {
  const out = [];
  const add = (target, met, measured) => out.push({ target, met, measured });
  const single = "single async manager, happy path";
  const base = find(result, single, "hand-written try/finally");
  const cls = find(result, single, "asyncWith, class manager");
  if (base && cls) {
    add("asyncWith, class manager: ticks = hand-written", cls.ticks === base.ticks, `${cls.ticks} vs ${base.ticks}`);
    add("asyncWith, class manager: ≤ 1.2× hand-written", cls.ratio <= 1.2, fmtRatio(cls.ratio));
    const nativeUsing = find(result, single, "native `await using`");
    if (nativeUsing)
      add(
        "asyncWith, class manager: faster than native `await using`",
        cls.ns < nativeUsing.ns,
        `${fmtNs(cls.ns)} vs ${fmtNs(nativeUsing.ns)}`,
      );
  }
  const gen = find(result, single, "asyncWith, asyncContextManager generator");
  if (gen) {
    add("generator manager ≤ 2.5× hand-written", gen.ratio <= 2.5, fmtRatio(gen.ratio));
    const peer = find(result, single, "npm contextlib AsyncWith, generator");
    if (peer)
      add(
        "generator manager faster than every peer's generator form",
        gen.ns < peer.ns,
        `${fmtNs(gen.ns)} vs ${fmtNs(peer.ns)} (npm contextlib)`,
      );
  }
  const stackGroups = result.groups.filter((g) => g.kind === "stack" && g.name.startsWith("async stacks"));
  for (const shape of ["AsyncExitStack pushAsyncCallback / aclose", "AsyncExitStack defer / disposeAsync"]) {
    const verdicts = [];
    let allMet = true;
    let linear = null;
    for (const g of stackGroups) {
      const ours = g.rows.find((r) => r.name === shape && !r.failed);
      const native = g.rows.find((r) => r.name === "native AsyncDisposableStack" && !r.failed);
      if (ours && native) {
        allMet &&= ours.ns <= native.ns;
        verdicts.push(`${g.rows[0].n.toLocaleString("en-US")}: ${fmtNs(ours.ns)} vs ${fmtNs(native.ns)}`);
      }
    }
    if (verdicts.length) add(`${shape}: per callback ≤ native AsyncDisposableStack`, allMet, verdicts.join("; "));
    const at = (n) => stackGroups.find((g) => g.rows[0].n === n)?.rows.find((r) => r.name === shape && !r.failed);
    if (at(100_000) && at(1_000_000)) {
      linear = at(1_000_000).ns / at(100_000).ns;
      add(
        `${shape}: 1,000,000 callbacks linear (per-callback cost within 1.5× of 100,000's)`,
        linear <= 1.5,
        `${linear.toFixed(2)}×`,
      );
    }
  }
  // The peer is these groups' baseline: judge by the ratio taken within each round.
  const faster = (groupPrefix, ours, peer, label) => {
    const o = find(result, groupPrefix, ours);
    const p = find(result, groupPrefix, peer);
    if (o && p) add(label, o.ratio <= 1, `${fmtRatio(o.ratio)} (${fmtNs(o.ns)} vs ${fmtNs(p.ns)})`);
  };
  faster(
    "Lock, uncontended",
    "asyncWith(lock)",
    "async-mutex Mutex acquire/release",
    "Lock ≥ async-mutex, uncontended (asyncWith)",
  );
  faster(
    "Lock, contended",
    "asyncWith(lock)",
    "async-mutex Mutex acquire/release",
    "Lock ≥ async-mutex, contended (asyncWith)",
  );
  faster(
    "Semaphore(4), uncontended",
    "asyncWith(semaphore)",
    "async-mutex Semaphore(4) acquire/release",
    "Semaphore ≥ async-mutex, uncontended (asyncWith)",
  );
  faster(
    "Semaphore(4), contended",
    "asyncWith(semaphore)",
    "async-mutex Semaphore(4) acquire/release",
    "Semaphore ≥ async-mutex, contended (asyncWith)",
  );
  faster(
    "Pool(max 4), uncontended",
    "asyncWith(pool.acquire())",
    "generic-pool acquire/release",
    "Pool ≥ generic-pool, uncontended",
  );
  faster(
    "Pool(max 4), contended",
    "asyncWith(pool.acquire())",
    "generic-pool acquire/release",
    "Pool ≥ generic-pool, contended",
  );
  return out;
}

function targetsTable(results) {
  const lines = [
    `| target | ${results.map((r) => r.runtime).join(" | ")} |`,
    `|---|${results.map(() => "---").join("|")}|`,
  ];
  const perRuntime = results.map(targets);
  const names = [...new Set(perRuntime.flat().map((t) => t.target))];
  for (const name of names) {
    const cells = perRuntime.map((ts) => {
      const t = ts.find((x) => x.target === name);
      return t ? `${t.met ? "✅ met" : "❌ missed"}: ${cell(t.measured)}` : "n/a";
    });
    lines.push(`| ${cell(name)} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** The whole report for the results of one or more runtimes. */
export function renderAll(results) {
  const parts = [];
  const first = results[0];
  parts.push(`Measured ${first.date.slice(0, 16).replace("T", " ")} UTC on ${first.machine}.`);
  parts.push("", "### Targets", "", targetsTable(results));
  for (const result of results) {
    const v = result.versions;
    parts.push("", `### ${result.runtime} (V8 ${v.v8})`, "");
    parts.push(
      `Peers: ${Object.entries(v)
        .filter(([k]) => !["node", "v8"].includes(k))
        .map(([k, ver]) => `${k} ${ver}`)
        .join(", ")}. Whole run: ${result.seconds?.toFixed(0) ?? "?"} s.`,
    );
    const stackGroups = { async: [], sync: [] };
    for (const group of result.groups) {
      if (group.kind === "stack") {
        stackGroups[group.name.startsWith("async") ? "async" : "sync"].push(group);
        continue;
      }
      parts.push("", `#### ${group.name}`, "", group.kind === "memory" ? memoryTable(group) : opsTable(group));
    }
    for (const [kind, groups] of Object.entries(stackGroups)) {
      if (groups.length === 0) continue;
      parts.push(
        "",
        `#### ${kind} stacks: time per callback (fill + unwind), heap per callback`,
        "",
        stackTable(groups),
      );
    }
  }
  return `${parts.join("\n")}\n`;
}
