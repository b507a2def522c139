package io.github.sdlora4j.examples;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.learner.EngineChoice;
import io.github.sdlora4j.learner.OptimizerConfig;
import io.github.sdlora4j.learner.SdLoraMode;
import io.github.sdlora4j.vit.VitConfig;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One run of the class-incremental protocol, as read from a YAML/JSON file by {@link ConfigLoader}. Every field
 * but {@code dataset} is optional; the run manifest prints the effective values.
 *
 * @param dataset               the benchmark ({@link DatasetSpec}: format, root, options, split, preprocessing ...)
 * @param backbone              {@code bundled}, a ViT preset name (random weights) or a timm-layout .safetensors path
 *                              (default {@code bundled})
 * @param vit                   ViT preset naming the shape of a backbone file that does not record it (timm exports),
 *                              or null
 * @param method                the method and its own settings ({@link MethodChoice}): a name registered in
 *                              {@link Methods} (default {@code sdlora}; {@code sdlora run --help} lists them); a
 *                              block such as {@code {name: sdlora-kd, kdThreshold: 9e-4}} sets the method's settings
 * @param engine                training engine the learners ask for: {@code auto} (default), {@code fused} or
 *                              {@code samediff}; the system property {@code sdlora.engine} overrides it
 * @param threads               the fused engine's threads (training and prediction), or null for the default
 *                              (every processor; a config's {@code threads: 0} means the same); the environment
 *                              variable {@code SDLORA_THREADS} overrides it. Left out of the effective config when
 *                              null, so runs written before the key resume.
 * @param mode                  {@code reference} (default) or {@code paper}, see {@link SdLoraMode}
 * @param rank                  LoRA rank (default 10; RR uses its own 10/8/6 schedule)
 * @param optimizer             per-task optimizer; defaults from the mode
 * @param epochs                epochs per task (default 20)
 * @param batchSize             training batch size (default 128)
 * @param evalBatchSize         test batch size (default 128)
 * @param seeds                 run seeds (default [1993]); each seeds the learner, the data order and, unless the
 *                              dataset block sets classOrderSeed or classOrder, the class order
 * @param checkpointEverySteps  also snapshot the learner every N optimizer steps (0 = only after each task)
 * @param trainImagesPerClass   keep only the first N training images of each class (file order) for quick runs, or
 *                              null for all (the test split is never cut)
 * @param classOrderFromRunSeed derived: whether each seed's class order follows the run seed (the dataset block set
 *                              neither classOrderSeed nor classOrder)
 */
public record RunConfig(DatasetSpec dataset, String backbone, String vit, MethodChoice method, EngineChoice engine,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Integer threads, String mode, int rank, OptimizerSettings optimizer, int epochs, int batchSize, int evalBatchSize,
                        List<Long> seeds, int checkpointEverySteps, Integer trainImagesPerClass,
                        boolean classOrderFromRunSeed) {

    /** Validates. */
    public RunConfig {
        Objects.requireNonNull(dataset, "dataset must be given");
        if (backbone == null || backbone.isBlank()) {
            throw new IllegalArgumentException("backbone must not be empty");
        }
        if (vit != null) {
            VitConfig.preset(vit);
        }
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(engine, "engine");
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1 (or 0 or absent for every processor), got "
                    + threads);
        }
        parseMode(mode);
        if (rank < 1) {
            throw new IllegalArgumentException("rank must be >= 1, got " + rank);
        }
        Objects.requireNonNull(optimizer, "optimizer");
        optimizer.resolve(parseMode(mode));
        if (epochs < 1 || batchSize < 1 || evalBatchSize < 1) {
            throw new IllegalArgumentException("epochs, batchSize and evalBatchSize must be >= 1, got " + epochs + ", "
                    + batchSize + ", " + evalBatchSize);
        }
        if (seeds == null || seeds.isEmpty() || seeds.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("seeds must list at least one seed, got " + seeds);
        }
        seeds = List.copyOf(seeds);
        if (seeds.stream().distinct().count() != seeds.size()) {
            throw new IllegalArgumentException("seeds must be distinct, got " + seeds);
        }
        if (trainImagesPerClass != null && trainImagesPerClass < 1) {
            throw new IllegalArgumentException("trainImagesPerClass must be >= 1 (or absent for all), got "
                    + trainImagesPerClass);
        }
        if (checkpointEverySteps < 0) {
            throw new IllegalArgumentException("checkpointEverySteps must be >= 0, got " + checkpointEverySteps);
        }
    }

    /** Jackson entry point: null means the default. */
    @JsonCreator
    public static RunConfig json(@JsonProperty("dataset") DatasetSpec dataset,
                                 @JsonProperty("backbone") String backbone,
                                 @JsonProperty("vit") String vit,
                                 @JsonProperty("method") MethodChoice method,
                                 @JsonProperty("engine") EngineChoice engine,
                                 @JsonProperty("threads") Integer threads,
                                 @JsonProperty("mode") String mode,
                                 @JsonProperty("rank") Integer rank,
                                 @JsonProperty("kdThreshold") Double kdThreshold,
                                 @JsonProperty("optimizer") OptimizerSettings optimizer,
                                 @JsonProperty("epochs") Integer epochs,
                                 @JsonProperty("batchSize") Integer batchSize,
                                 @JsonProperty("evalBatchSize") Integer evalBatchSize,
                                 @JsonProperty("seeds") List<Long> seeds,
                                 @JsonProperty("checkpointEverySteps") Integer checkpointEverySteps,
                                 @JsonProperty("trainImagesPerClass") Integer trainImagesPerClass) {
        if (kdThreshold != null) {
            throw new IllegalArgumentException("kdThreshold is a setting of the method sdlora-kd now, not a top-level"
                    + " key: replace 'kdThreshold: " + kdThreshold + "' with 'method: {name: sdlora-kd, kdThreshold: "
                    + kdThreshold + "}' (compare and sweep apply a method block to the method it names)");
        }
        String m = mode == null ? "reference" : mode.toLowerCase(Locale.ROOT);
        OptimizerSettings o = optimizer == null ? OptimizerSettings.defaults() : optimizer;
        return new RunConfig(dataset, backbone == null ? BackboneFiles.BUNDLED : backbone, vit,
                method == null ? MethodChoice.of("sdlora") : method, engine == null ? EngineChoice.AUTO : engine,
                threads == null || threads == 0 ? null : threads, m,
                rank == null ? 10 : rank, o.effective(parseMode(m)),
                epochs == null ? 20 : epochs, batchSize == null ? 128 : batchSize,
                evalBatchSize == null ? 128 : evalBatchSize, seeds == null ? List.of(1993L) : seeds,
                checkpointEverySteps == null ? 0 : checkpointEverySteps, trainImagesPerClass, true);
    }

    private static SdLoraMode parseMode(String mode) {
        if ("reference".equals(mode)) {
            return SdLoraMode.REFERENCE;
        }
        if ("paper".equals(mode)) {
            return SdLoraMode.PAPER;
        }
        throw new IllegalArgumentException("mode must be 'reference' or 'paper', got '" + mode + "'");
    }

    /** The mode as the core's enum. */
    public SdLoraMode sdLoraMode() {
        return parseMode(mode);
    }

    /** The complete optimizer. */
    public OptimizerConfig optimizerConfig() {
        return optimizer.resolve(sdLoraMode());
    }

    /** The ViT shape named by {@link #vit}, or null. */
    public VitConfig vitConfig() {
        return vit == null ? null : VitConfig.preset(vit);
    }

    /** The dataset of one run seed: its class order follows the seed unless the config fixed it. */
    public DatasetSpec datasetFor(long seed) {
        return classOrderFromRunSeed ? dataset.withClassOrderSeed(seed) : dataset;
    }

    /**
     * A copy with another method (the {@code --method} override): the config's method block still applies when it
     * names the same method, any other method gets its default settings.
     */
    public RunConfig withMethod(String m) {
        MethodChoice choice = m.toLowerCase(Locale.ROOT).equals(method.name()) ? method : MethodChoice.of(m);
        return new RunConfig(dataset, backbone, vit, choice, engine, threads, mode, rank, optimizer, epochs,
                batchSize, evalBatchSize, seeds, checkpointEverySteps, trainImagesPerClass, classOrderFromRunSeed);
    }

    /** A copy with other seeds (the {@code --seed} override). */
    public RunConfig withSeeds(List<Long> s) {
        return new RunConfig(dataset, backbone, vit, method, engine, threads, mode, rank, optimizer, epochs,
                batchSize, evalBatchSize, s, checkpointEverySteps, trainImagesPerClass, classOrderFromRunSeed);
    }

    /** A copy where the class order comes from the dataset block ({@code false}) or each run seed ({@code true}). */
    public RunConfig withClassOrderFromRunSeed(boolean fromSeed) {
        return new RunConfig(dataset, backbone, vit, method, engine, threads, mode, rank, optimizer, epochs,
                batchSize, evalBatchSize, seeds, checkpointEverySteps, trainImagesPerClass, fromSeed);
    }
}
