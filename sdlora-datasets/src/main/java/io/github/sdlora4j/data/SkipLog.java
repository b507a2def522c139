package io.github.sdlora4j.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Applies the {@code skipCorrupt} policy: either fails with a {@link DatasetFormatException}, or counts
 * the problem and logs a warning (the first few individually, then a total in {@link #summarize}).
 */
final class SkipLog {

    private static final Logger LOG = LoggerFactory.getLogger(SkipLog.class);
    private static final int DETAILED = 5;

    private final boolean skipCorrupt;
    private final String what;
    private final AtomicInteger count = new AtomicInteger();

    SkipLog(boolean skipCorrupt, String what) {
        this.skipCorrupt = skipCorrupt;
        this.what = what;
    }

    /** Fails, or records a skipped item when skipping is allowed. */
    void problem(Path file, String expected) {
        problem(new DatasetFormatException(file, expected));
    }

    /** Rethrows {@code e}, or records a skipped item when skipping is allowed. */
    void problem(DatasetFormatException e) {
        if (!skipCorrupt) {
            throw e;
        }
        int n = count.incrementAndGet();
        if (n <= DETAILED) {
            LOG.warn("skipping corrupt item in {} ({} skipped so far): {}", what, n, e.getMessage());
        }
    }

    /** Logs the total once reading is done. */
    void summarize() {
        if (count.get() > 0) {
            LOG.warn("{}: skipped {} corrupt item(s) in total (skipCorrupt=true)", what, count.get());
        }
    }

    int count() {
        return count.get();
    }
}
