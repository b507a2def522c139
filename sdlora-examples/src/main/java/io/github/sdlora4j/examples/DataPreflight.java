package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.DataCheck;
import io.github.sdlora4j.data.DatasetFormatException;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.data.LabeledDataset;
import me.tongfei.progressbar.ProgressBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * The data check of {@code run} before its first training step ({@link DataCheck}): a progress bar on a terminal for
 * large sets, then either an error listing the unusable files or, with {@code skipCorrupt: true}, a warning that
 * counts the files training will skip.
 */
final class DataPreflight {

    private static final Logger log = LoggerFactory.getLogger(DataPreflight.class);

    /** Problems listed one per line; the rest are counted. */
    static final int LISTED = 20;
    /** Sets smaller than this are checked before a bar would be worth drawing. */
    private static final int BAR_FROM = 2000;

    private DataPreflight() {
    }

    /**
     * @throws DatasetFormatException listing the first {@value #LISTED} unusable files and counting the rest, unless
     *                                the spec skips corrupt files
     */
    static DataCheck.Report check(LabeledDataset data, DatasetSpec spec, DataCheck.Depth depth, boolean terminal) {
        int total = data.train().size() + data.test().size();
        long start = System.nanoTime();
        DataCheck.Report report;
        if (terminal && total >= BAR_FROM) {
            try (ProgressBar bar = ProgressLine.open("checking data", total, "img", System.err)) {
                report = DataCheck.check(data, depth, spec.decodeThreads(), bar::step);
            }
        } else {
            report = DataCheck.check(data, depth, spec.decodeThreads(), () -> { });
        }
        log.info(String.format(Locale.ROOT, "data check (%s): %d images in %.1f s, %d unusable",
                depth == DataCheck.Depth.HEADERS ? "headers; --verify-data decodes every image" : "full decode",
                total, (System.nanoTime() - start) / 1e9, report.problems().size()));
        if (report.ok()) {
            return report;
        }
        if (spec.skipCorrupt()) {
            log.warn("{}: {}\nTraining skips them (dataset.skipCorrupt: true).", data.name(), report.describe(LISTED));
            return report;
        }
        throw new DatasetFormatException(spec.root(), report.describe(LISTED) + "\nFix or remove these files, or set"
                + " dataset.skipCorrupt: true to train without them. Nothing was written.");
    }
}
