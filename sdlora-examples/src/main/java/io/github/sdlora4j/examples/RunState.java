package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.sdlora4j.learner.EngineChoice;

import java.util.List;

/**
 * What {@code --resume} needs, written atomically to {@code checkpoint/run-state.json} after every task.
 *
 * @param config    the effective configuration (a resumed run must use the same)
 * @param completed results of the seeds already finished
 * @param current   the seed in progress, or null
 */
record RunState(JsonNode config, List<SeedResult> completed, Partial current) {

    /** The key of sdlora-kd's threshold, top-level in the configs of versions before the method block. */
    private static final String OLD_KD_THRESHOLD = "kdThreshold";

    /**
     * Whether {@code config} was written by an sdlora4j before the {@code method} block and the {@code engine} key:
     * it has a top-level {@code kdThreshold} (every config of those versions had one) and no {@code engine}.
     */
    static boolean olderShape(JsonNode config) {
        return config.has(OLD_KD_THRESHOLD) && !config.has("engine");
    }

    /**
     * An effective config of the versions before the method block, as today's version writes the same settings: the
     * top-level {@code kdThreshold} becomes sdlora-kd's method setting (the other methods never read it), and the
     * missing {@code engine} is {@code auto}, what those versions did. Any other config is returned as it is.
     */
    static JsonNode inCurrentShape(JsonNode config) {
        if (!olderShape(config)) {
            return config;
        }
        ObjectNode c = config.deepCopy();
        JsonNode threshold = c.remove(OLD_KD_THRESHOLD);
        if (SdLoraKdMethod.METHOD.name().equals(c.path("method").asText(null))) {
            c.putObject("method").put("name", SdLoraKdMethod.METHOD.name()).set(OLD_KD_THRESHOLD, threshold);
        }
        c.set("engine", ConfigLoader.JSON.valueToTree(EngineChoice.AUTO));
        return c;
    }

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
