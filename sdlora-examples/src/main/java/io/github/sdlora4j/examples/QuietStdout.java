package io.github.sdlora4j.examples;

import java.io.PrintStream;

/**
 * Standard output without SameDiff's "Added differentiated op ..." lines, which ND4J 1.0.0-M2.1 prints with
 * {@code System.out.println} for every op whenever a training graph is built (hundreds per task), drowning the
 * results the tool prints.
 */
final class QuietStdout extends PrintStream {

    private static final String NOISE = "Added differentiated op";

    QuietStdout(PrintStream out) {
        super(out, true);
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
