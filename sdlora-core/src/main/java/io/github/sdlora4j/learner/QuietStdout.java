package io.github.sdlora4j.learner;

import org.nd4j.autodiff.samediff.SameDiff;

import java.io.PrintStream;

/**
 * Standard output without SameDiff's "Added differentiated op ..." lines, which ND4J 1.0.0-M2.1 prints with
 * {@code System.out.println} for every op whenever a training graph is built (hundreds per task), drowning what the
 * application prints. Installed only while a gradient function is built ({@link #createGradFunction}).
 */
final class QuietStdout extends PrintStream {

    private static final String NOISE = "Added differentiated op";

    private QuietStdout(PrintStream out) {
        super(out, true);
    }

    /** {@code sd.createGradFunction()} with SameDiff's per-op lines kept off standard output. */
    static void createGradFunction(SameDiff sd) {
        PrintStream out = System.out;
        QuietStdout quiet = new QuietStdout(out);
        System.setOut(quiet);
        try {
            sd.createGradFunction();
        } finally {
            // Unless another thread replaced standard output meanwhile; then that one stays.
            if (System.out == quiet) {
                System.setOut(out);
            }
        }
    }

    @Override
    public void println(String line) {
        if (line == null || !line.startsWith(NOISE)) {
            super.println(line);
        }
    }

    @Override
    public void println(Object line) {
        println(String.valueOf(line));
    }
}
