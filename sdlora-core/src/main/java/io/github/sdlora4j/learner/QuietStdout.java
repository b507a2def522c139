package io.github.sdlora4j.learner;

import org.nd4j.autodiff.samediff.SameDiff;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps SameDiff's "Added differentiated op ..." lines off standard output while a thread builds a gradient function.
 * ND4J 1.0.0-M2.1 prints them unconditionally with {@code System.out.println}, one per op (hundreds per task), with
 * no logger or option to silence them, so standard output has to be wrapped while {@link #createGradFunction} runs.
 *
 * <p>The wrapper is scoped to the differentiating threads: it drops only those lines and only when a thread inside
 * {@link #quietly} writes them; every other write, from any thread, goes straight to the stream it wraps, method for
 * method, so other threads' output is untouched. One wrapper serves overlapping calls from several threads and is
 * removed when the last one leaves (unless someone replaced standard output meanwhile: theirs then stays).
 */
final class QuietStdout extends PrintStream {

    private static final String NOISE = "Added differentiated op";

    /** The installed wrapper, or null; guarded by the class lock like every {@code System.setOut} made here. */
    private static QuietStdout installed;

    private final PrintStream target;
    private final Set<Thread> quietThreads = ConcurrentHashMap.newKeySet();

    private QuietStdout(PrintStream target) {
        super(target, true);
        this.target = target;
    }

    /** {@code sd.createGradFunction()} with SameDiff's per-op lines kept off standard output. */
    static void createGradFunction(SameDiff sd) {
        quietly(sd::createGradFunction);
    }

    /** Runs {@code action} with the per-op lines this thread prints dropped; other threads' output is unaffected. */
    static void quietly(Runnable action) {
        QuietStdout filter = enter();
        try {
            action.run();
        } finally {
            leave(filter);
        }
    }

    private static synchronized QuietStdout enter() {
        if (installed == null || System.out != installed) {
            installed = new QuietStdout(System.out);
            System.setOut(installed);
        }
        installed.quietThreads.add(Thread.currentThread());
        return installed;
    }

    private static synchronized void leave(QuietStdout filter) {
        filter.quietThreads.remove(Thread.currentThread());
        if (filter.quietThreads.isEmpty() && filter == installed) {
            installed = null;
            if (System.out == filter) {
                System.setOut(filter.target);
            }
        }
    }

    private boolean isNoise(String line) {
        return line != null && line.startsWith(NOISE) && quietThreads.contains(Thread.currentThread());
    }

    @Override
    public void println(String line) {
        if (!isNoise(line)) {
            target.println(line);
        }
    }

    // Everything else is forwarded as it is, so that the wrapped stream encodes, buffers and flushes as before.

    @Override
    public void println(Object x) {
        println(String.valueOf(x));
    }

    @Override
    public void println() {
        target.println();
    }

    @Override
    public void println(boolean x) {
        target.println(x);
    }

    @Override
    public void println(char x) {
        target.println(x);
    }

    @Override
    public void println(int x) {
        target.println(x);
    }

    @Override
    public void println(long x) {
        target.println(x);
    }

    @Override
    public void println(float x) {
        target.println(x);
    }

    @Override
    public void println(double x) {
        target.println(x);
    }

    @Override
    public void println(char[] x) {
        target.println(x);
    }

    @Override
    public void print(String s) {
        target.print(s);
    }

    @Override
    public void print(Object obj) {
        target.print(obj);
    }

    @Override
    public void print(boolean b) {
        target.print(b);
    }

    @Override
    public void print(char c) {
        target.print(c);
    }

    @Override
    public void print(int i) {
        target.print(i);
    }

    @Override
    public void print(long l) {
        target.print(l);
    }

    @Override
    public void print(float f) {
        target.print(f);
    }

    @Override
    public void print(double d) {
        target.print(d);
    }

    @Override
    public void print(char[] s) {
        target.print(s);
    }

    @Override
    public void write(int b) {
        target.write(b);
    }

    @Override
    public void write(byte[] buf, int off, int len) {
        target.write(buf, off, len);
    }

    @Override
    public void write(byte[] buf) {
        target.write(buf, 0, buf.length);
    }

    @Override
    public void writeBytes(byte[] buf) {
        target.writeBytes(buf);
    }

    @Override
    public PrintStream printf(String format, Object... args) {
        target.printf(format, args);
        return this;
    }

    @Override
    public PrintStream printf(Locale l, String format, Object... args) {
        target.printf(l, format, args);
        return this;
    }

    @Override
    public PrintStream format(String format, Object... args) {
        target.format(format, args);
        return this;
    }

    @Override
    public PrintStream format(Locale l, String format, Object... args) {
        target.format(l, format, args);
        return this;
    }

    @Override
    public PrintStream append(CharSequence csq) {
        target.append(csq);
        return this;
    }

    @Override
    public PrintStream append(CharSequence csq, int start, int end) {
        target.append(csq, start, end);
        return this;
    }

    @Override
    public PrintStream append(char c) {
        target.append(c);
        return this;
    }

    @Override
    public void flush() {
        target.flush();
    }

    @Override
    public void close() {
        target.close();
    }

    @Override
    public boolean checkError() {
        return target.checkError();
    }
}
