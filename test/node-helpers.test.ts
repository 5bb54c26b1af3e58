// contextlib-ts/node: chdir, redirectStdout and redirectStderr. CPython's TestRedirectStream
// (run for stdout and for stderr, cases 67–72) and TestChdir (cases 83–85) ported to our API,
// plus nesting, failure and restoration checks. Every test restores the directory and streams.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { asyncWith, syncWith } from "../src/index.js";
import { Chdir, chdir, RedirectStream, redirectStderr, redirectStdout } from "../src/node/index.js";

/** Python's `io.StringIO`, as far as these tests use it. */
class StringIO {
  readonly chunks: string[] = [];
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  }
  getvalue(): string {
    return this.chunks.join("");
  }
}

class RuntimeErrorLike extends Error {}

const streams = [
  { name: "stdout", redirect: redirectStdout, print: (msg: string) => console.log(msg) },
  { name: "stderr", redirect: redirectStderr, print: (msg: string) => console.error(msg) },
] as const;

for (const { name, redirect, print } of streams) {
  const stream = () => process[name];
  /** Python's `print(msg, end=end, file=sys.stdout)`. */
  const printEnd = (msg: string, end: string) => stream().write(msg + end);

  describe(`redirect ${name} (TestRedirect${name === "stdout" ? "Stdout" : "Stderr"})`, () => {
    let originalWrite: unknown;
    before(() => {
      originalWrite = stream().write;
    });
    const assertRestored = () => {
      assert.equal(stream().write, originalWrite);
      assert.equal(Object.hasOwn(stream(), "write"), false);
    };

    test("case 68 test_no_redirect_in_init", () => {
      const manager = redirect(null);
      assert.ok(manager instanceof RedirectStream);
      assertRestored();
    });

    test("case 69 test_redirect_to_string_io", () => {
      const f = new StringIO();
      const msg = "Consider an API like help(), which prints directly to stdout";
      syncWith(redirect(f), () => {
        print(msg);
      });
      assertRestored();
      assert.equal(f.getvalue().trim(), msg);
    });

    test("case 70 test_enter_result_is_target", () => {
      const f = new StringIO();
      syncWith(redirect(f), (r) => {
        assert.equal(r, f);
      });
      assertRestored();
    });

    test("case 71 test_cm_is_reusable", () => {
      const f = new StringIO();
      const writeToF = redirect(f);
      syncWith(writeToF, () => {
        printEnd("Hello", " ");
      });
      syncWith(writeToF, () => {
        printEnd("World!", "\n");
      });
      assertRestored();
      assert.equal(f.getvalue(), "Hello World!\n");
    });

    test("case 72 test_cm_is_reentrant", () => {
      const f = new StringIO();
      const writeToF = redirect(f);
      syncWith(writeToF, () => {
        printEnd("Hello", " ");
        syncWith(writeToF, () => {
          printEnd("World!", "\n");
        });
      });
      assertRestored();
      assert.equal(f.getvalue(), "Hello World!\n");
    });

    test("redirect inside redirect restores in order", () => {
      const outer = new StringIO();
      const inner = new StringIO();
      syncWith(redirect(outer), () => {
        printEnd("o1", "");
        syncWith(redirect(inner), () => {
          printEnd("i1", "");
        });
        printEnd("o2", "");
        syncWith([redirect(inner), redirect(outer), redirect(inner)], () => {
          printEnd("i2", "");
        });
        printEnd("o3", "");
      });
      assertRestored();
      assert.equal(outer.getvalue(), "o1o2o3");
      assert.equal(inner.getvalue(), "i1i2");
    });

    test("the stream is restored when the block throws, and the error propagates unchanged", () => {
      const f = new StringIO();
      const error = new RuntimeErrorLike("boom");
      assert.throws(
        () =>
          syncWith(redirect(f), () => {
            print("before the error");
            throw error;
          }),
        (e) => e === error,
      );
      assertRestored();
      assert.equal(f.getvalue(), "before the error\n");
    });

    test("an own write already patched on the stream is put back as it was", () => {
      const calls: string[] = [];
      const patched = (chunk: string) => calls.push(chunk) > 0;
      Object.defineProperty(stream(), "write", { value: patched, writable: true, configurable: true });
      try {
        const f = new StringIO();
        syncWith(redirect(f), () => printEnd("x", ""));
        assert.equal(stream().write, patched);
        assert.deepEqual(calls, []);
        assert.equal(f.getvalue(), "x");
      } finally {
        delete (stream() as { write?: unknown }).write;
      }
      assertRestored();
    });

    test("a real Writable receives write's arguments, its callback included", async () => {
      const received: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          received.push(chunk.toString("utf8"));
          callback();
        },
      });
      let written!: Promise<void>;
      syncWith(redirect(sink), () => {
        written = new Promise<void>((resolve) => stream().write("with callback", () => resolve()));
      });
      assertRestored();
      await written;
      assert.deepEqual(received, ["with callback"]);
      sink.destroy();
    });

    test("null discards the output and still calls write's callback", async () => {
      let called!: Promise<void>;
      syncWith(redirect(null), (target) => {
        assert.equal(target, null);
        print("dropped");
        called = new Promise<void>((resolve) => stream().write("dropped", "utf8", () => resolve()));
      });
      assertRestored();
      await called;
    });

    test("an asyncWith block is redirected across its awaits", async () => {
      const f = new StringIO();
      await asyncWith(redirect(f), async () => {
        printEnd("a", "");
        await Promise.resolve();
        printEnd("b", "");
      });
      assertRestored();
      assert.equal(f.getvalue(), "ab");
    });

    test("a target without write() is a TypeError at construction", () => {
      // @ts-expect-error: an object without write() is not a target
      assert.throws(() => redirect({}), TypeError);
      // @ts-expect-error: a string is not a target
      assert.throws(() => redirect("out.txt"), TypeError);
      assertRestored();
    });
  });
}

describe("chdir (TestChdir)", () => {
  const old = process.cwd();
  let root: string;
  let target1: string;
  let target2: string;
  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "contextlib-ts-chdir-")));
    target1 = join(root, "data");
    target2 = join(root, "archivetestdata");
    mkdirSync(target1);
    mkdirSync(target2);
  });
  after(() => {
    process.chdir(old);
    rmSync(root, { recursive: true, force: true });
  });

  test("case 83 test_simple", () => {
    syncWith(chdir(target1), (value) => {
      assert.equal(value, undefined);
      assert.equal(process.cwd(), target1);
    });
    assert.equal(process.cwd(), old);
  });

  test("case 84 test_reentrant", () => {
    const chdir1 = chdir(target1);
    const chdir2 = chdir(target2);
    syncWith(chdir1, () => {
      assert.equal(process.cwd(), target1);
      syncWith(chdir2, () => {
        assert.equal(process.cwd(), target2);
        syncWith(chdir1, () => {
          assert.equal(process.cwd(), target1);
        });
        assert.equal(process.cwd(), target2);
      });
      assert.equal(process.cwd(), target1);
    });
    assert.equal(process.cwd(), old);
  });

  test("case 85 test_exception", () => {
    assert.throws(
      () =>
        syncWith(chdir(target1), () => {
          assert.equal(process.cwd(), target1);
          throw new RuntimeErrorLike("boom");
        }),
      (error) => error instanceof RuntimeErrorLike && String(error.message) === "boom",
    );
    assert.equal(process.cwd(), old);
  });

  test("a directory that does not exist: enter fails, the block never runs, the instance stays usable", () => {
    const missing = join(root, "missing");
    const manager = chdir(missing);
    let ran = false;
    assert.throws(
      () =>
        syncWith(manager, () => {
          ran = true;
        }),
      (error) => (error as NodeJS.ErrnoException).code === "ENOENT",
    );
    assert.equal(ran, false);
    assert.equal(process.cwd(), old);
    // Nothing was left on the stack: a later enter/exit pair still comes back to the right place.
    mkdirSync(missing);
    syncWith(chdir(target1), () => {
      syncWith(manager, () => assert.equal(process.cwd(), missing));
      assert.equal(process.cwd(), target1);
    });
    assert.equal(process.cwd(), old);
  });

  test("a file: URL is accepted, a relative path is resolved at enter, and asyncWith works", async () => {
    const byUrl = chdir(pathToFileURL(target2));
    assert.ok(byUrl instanceof Chdir);
    assert.equal(byUrl.directory, target2);
    await asyncWith(byUrl, async () => {
      await Promise.resolve();
      assert.equal(process.cwd(), target2);
      syncWith(chdir("../data"), () => assert.equal(process.cwd(), target1));
      assert.equal(process.cwd(), target2);
    });
    assert.equal(process.cwd(), old);
  });

  test("a path that is neither a string nor a URL is a TypeError at construction", () => {
    // @ts-expect-error: a number is not a path
    assert.throws(() => chdir(42), TypeError);
  });
});
