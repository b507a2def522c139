package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * What {@code --resume} needs, written atomically to {@code checkpoint/run-state.json} after every task.
 *
 * @param config    the effective configuration (a resumed run must use the same)
 * @param completed results of the seeds already finished
 * @param current   the seed in progress, or null
 */
record RunState(JsonNode config, List<SeedResult> completed, Partial current) {

    /**
     * A seed in progress.
     *
     * @param seed        the run seed
     * @param tasksDone   tasks finished and evaluated
     * @param rows        accuracy-matrix rows so far (percent)
     * @param seen        all-seen accuracy after each finished task
     * @param wallSeconds wall time of each finished task
     * @param learnerFile checkpoint of the learner after task {@code tasksDone - 1} (relative to the output folder),
     *                    or null when the method cannot be checkpointed (the seed then restarts on resume)
     * @param taskIlRows  task-IL accuracy-matrix rows so far (percent)
     * @param taskIlSeen  task-IL accuracy on all seen classes after each finished task
     * @param epochTrainLoss mean training loss of each epoch of each finished task
     * @param magnitudes  the learned magnitudes after each finished task, or null for methods without them
     */
    record Partial(long seed, int tasksDone, List<double[]> rows, List<Double> seen, List<Double> wallSeconds,
                   String learnerFile, List<double[]> taskIlRows, List<Double> taskIlSeen,
                   List<List<Double>> epochTrainLoss, Magnitudes magnitudes) {
    }
}
