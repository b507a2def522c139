package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.PretrainCheckpoint;
import io.github.sdlora4j.learner.BackbonePretrainer;
import io.github.sdlora4j.learner.EpochLoop;
import io.github.sdlora4j.learner.TrainingMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes the pretraining checkpoint every N steps and/or every M minutes, and, when the output is not a terminal,
 * logs a progress line with each (step, epoch, recent loss, images/s), so a run in the background is never silent
 * for long. A failed write is logged and training goes on: the previous checkpoint stays whole.
 */
final class PretrainCheckpoints implements TrainingMonitor {

    private static final Logger log = LoggerFactory.getLogger(PretrainCheckpoints.class);

    private final BackbonePretrainer pretrainer;
    private final Path file;
    private final int everySteps;
    private final long everyNanos;
    private final Supplier<Map<String, String>> metadata;
    private final PretrainSettings settings;
    private final boolean logProgress;
    private long lastSave = System.nanoTime();
    private double lossSum;
    private long steps;
    private long images;

    /**
     * @param everySteps   steps between checkpoints, 0 for none by count
     * @param everyMinutes minutes between checkpoints, 0 for none by time
     * @param metadata     the caller's metadata at the time of a write
     * @param logProgress  log a line with each checkpoint (off on a terminal, where the bar shows progress)
     */
    PretrainCheckpoints(BackbonePretrainer pretrainer, Path file, int everySteps, double everyMinutes,
                        Supplier<Map<String, String>> metadata, PretrainSettings settings, boolean logProgress) {
        this.pretrainer = pretrainer;
        this.file = file;
        this.everySteps = everySteps;
        this.everyNanos = (long) (everyMinutes * 60e9);
        this.metadata = metadata;
        this.settings = settings;
        this.logProgress = logProgress;
    }

    @Override
    public void stepDone(int task, int epoch, int iteration, double loss, int batchSize) {
        lossSum += loss;
        steps++;
        images += batchSize;
        boolean byCount = everySteps > 0 && (iteration + 1) % everySteps == 0;
        boolean byTime = everyNanos > 0 && System.nanoTime() - lastSave >= everyNanos;
        if (byCount || byTime) {
            save(logProgress);
        }
    }

    /** Writes the checkpoint of finished training, before the backbone is written, without a progress line. */
    void saveFinal() {
        save(false);
    }

    private void save(boolean report) {
        long now = System.nanoTime();
        try {
            PretrainCheckpoint.save(pretrainer.snapshot(), metadata.get(), file);
        } catch (IOException | RuntimeException e) {
            log.warn("could not write the pretraining checkpoint {}: {}", file, e.getMessage());
            return;
        }
        if (report) {
            EpochLoop.Position at = pretrainer.position();
            double seconds = Math.max((now - lastSave) / 1e9, 1e-9);
            log.info(String.format(Locale.ROOT, "pretrain epoch %d/%d, batch %d/%d, step %d: loss %.4f (mean of the"
                            + " last %d steps), %.1f images/s; checkpoint %s", Math.min(at.epoch() + 1,
                            settings.epochs()), settings.epochs(), at.batchesDone(), settings.batchesPerEpoch(),
                    at.iteration(), lossSum / steps, steps, images / seconds, file));
        }
        lastSave = System.nanoTime();
        lossSum = 0;
        steps = 0;
        images = 0;
    }
}
