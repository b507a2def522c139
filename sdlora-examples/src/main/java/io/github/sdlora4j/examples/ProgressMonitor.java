package io.github.sdlora4j.examples;

import io.github.sdlora4j.learner.TrainingMonitor;
import me.tongfei.progressbar.ProgressBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Shows training progress: a progress bar per epoch (images/s and loss) on a terminal, one log line per epoch
 * otherwise (so redirected output and CI logs stay readable). Also forwards every event to a delegate (the
 * step checkpointer).
 */
final class ProgressMonitor implements TrainingMonitor {

    private static final Logger log = LoggerFactory.getLogger(ProgressMonitor.class);

    private final String label;
    private final String shortLabel;
    private final long imagesPerEpoch;
    private final boolean terminal;
    private final TrainingMonitor delegate;
    private ProgressBar bar;
    private long epochStart;
    private long images;

    /**
     * @param label          printed before each epoch, e.g. "seed 1993 task 2/5"
     * @param imagesPerEpoch images in one epoch (the bar's length), or -1 when unknown
     */
    ProgressMonitor(String label, long imagesPerEpoch, TrainingMonitor delegate) {
        this(label, imagesPerEpoch, System.console() != null, delegate);
    }

    ProgressMonitor(String label, long imagesPerEpoch, boolean terminal, TrainingMonitor delegate) {
        this.label = label;
        // The bar shares one terminal line with counts, speed and loss: keep its name short.
        this.shortLabel = label.replaceFirst("^seed \\d+ ", "");
        this.imagesPerEpoch = imagesPerEpoch;
        this.terminal = terminal;
        this.delegate = delegate == null ? TrainingMonitor.NONE : delegate;
    }

    @Override
    public void epochStarted(int task, int epoch) {
        epochStart = System.nanoTime();
        images = 0;
        if (terminal) {
            bar = ProgressLine.open(shortLabel + " epoch " + (epoch + 1), imagesPerEpoch, "img", System.err);
        }
        delegate.epochStarted(task, epoch);
    }

    @Override
    public void stepDone(int task, int epoch, int iteration, double loss, int batchSize) {
        images += batchSize;
        if (bar != null) {
            bar.stepBy(batchSize);
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", loss));
        }
        delegate.stepDone(task, epoch, iteration, loss, batchSize);
    }

    @Override
    public void epochDone(int task, int epoch, double meanLoss) {
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        if (bar != null) {
            bar.close();
            bar = null;
        } else {
            log.info(String.format(Locale.ROOT, "%s epoch %d: loss %.4f, %d images in %.1f s (%.1f images/s)", label,
                    epoch + 1, meanLoss, images, seconds, images / Math.max(seconds, 1e-9)));
        }
        delegate.epochDone(task, epoch, meanLoss);
    }

    /** Closes an open bar when training stopped with an exception. */
    void closeQuietly() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
