package io.github.sdlora4j.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.sdlora4j.transforms.PreprocessingSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to open a {@link ClassIncrementalBenchmark}. Immutable; Jackson reads it from
 * JSON/YAML through {@link #json}, where every field but {@code format} and {@code initialClasses}
 * is optional.
 *
 * @param format          reader name, see {@link DatasetReaders}
 * @param root            dataset file/folder; {@code null} for {@code synthetic} or a reader's default
 * @param options         format-specific options (see each reader), never {@code null}
 * @param classOrderSeed  seed of the class order (reference orders for 1993-1997 and 42, else the Java
 *                        shuffle, see {@link ClassOrders}); ignored when {@code classOrder} is given
 * @param classOrder      explicit class order ({@code classOrder[k]} = original class of incremental
 *                        label k), or {@code null}
 * @param initialClasses  classes in the first task
 * @param classesPerTask  classes in each later task
 * @param preprocessing   image preprocessing
 * @param skipCorrupt     skip unreadable files/records with a warning instead of failing
 * @param prefetchBatches batches decoded ahead of training by the background thread (&gt;= 1)
 * @param decodeThreads   threads decoding the images of one batch in parallel (&gt;= 1)
 */
public record DatasetSpec(String format, Path root, Map<String, String> options, long classOrderSeed,
                          List<Integer> classOrder, int initialClasses, int classesPerTask,
                          PreprocessingSpec preprocessing, boolean skipCorrupt, int prefetchBatches,
                          int decodeThreads) {

    /** Seed of the reference runs' first class order. */
    public static final long DEFAULT_CLASS_ORDER_SEED = 1993L;

    /** Validates the fields (the class order against the dataset is checked when it is opened). */
    public DatasetSpec {
        if (format == null || format.isBlank()) {
            throw new IllegalArgumentException("dataset.format must be given; known formats: " + DatasetReaders.names());
        }
        options = options == null ? Map.of() : Map.copyOf(options);
        DatasetReaders.checkOptions(format, options);
        classOrder = classOrder == null ? null : List.copyOf(classOrder);
        if (initialClasses <= 0) {
            throw new IllegalArgumentException("dataset.initialClasses must be > 0, got " + initialClasses);
        }
        if (classesPerTask <= 0) {
            throw new IllegalArgumentException("dataset.classesPerTask must be > 0, got " + classesPerTask);
        }
        Objects.requireNonNull(preprocessing, "dataset.preprocessing");
        if (prefetchBatches < 1) {
            throw new IllegalArgumentException("dataset.prefetchBatches must be >= 1, got " + prefetchBatches);
        }
        if (decodeThreads < 1) {
            throw new IllegalArgumentException("dataset.decodeThreads must be >= 1, got " + decodeThreads);
        }
    }

    /**
     * A spec with defaults: seed 1993, reference preprocessing at {@code imageSize}, no skipping,
     * 4 prefetched batches, decode threads = available processors.
     */
    public static DatasetSpec of(String format, Path root, int initialClasses, int classesPerTask, int imageSize) {
        return json(format, root, null, null, null, initialClasses, classesPerTask,
                PreprocessingSpec.forSize(imageSize), null, null, null);
    }

    /**
     * Jackson entry point; {@code null} arguments take the defaults of {@link #of}.
     *
     * @return a validated spec
     */
    @JsonCreator
    public static DatasetSpec json(@JsonProperty("format") String format,
                                   @JsonProperty("root") Path root,
                                   @JsonProperty("options") Map<String, String> options,
                                   @JsonProperty("classOrderSeed") Long classOrderSeed,
                                   @JsonProperty("classOrder") List<Integer> classOrder,
                                   @JsonProperty("initialClasses") Integer initialClasses,
                                   @JsonProperty("classesPerTask") Integer classesPerTask,
                                   @JsonProperty("preprocessing") PreprocessingSpec preprocessing,
                                   @JsonProperty("skipCorrupt") Boolean skipCorrupt,
                                   @JsonProperty("prefetchBatches") Integer prefetchBatches,
                                   @JsonProperty("decodeThreads") Integer decodeThreads) {
        if (initialClasses == null) {
            throw new IllegalArgumentException("dataset.initialClasses must be given");
        }
        return new DatasetSpec(format, root, options,
                classOrderSeed == null ? DEFAULT_CLASS_ORDER_SEED : classOrderSeed, classOrder, initialClasses,
                classesPerTask == null ? initialClasses : classesPerTask,
                preprocessing == null ? PreprocessingSpec.reference() : preprocessing,
                skipCorrupt != null && skipCorrupt, prefetchBatches == null ? 4 : prefetchBatches,
                decodeThreads == null ? Math.max(1, Runtime.getRuntime().availableProcessors()) : decodeThreads);
    }

    /** @return a copy with other reader options */
    public DatasetSpec withOptions(Map<String, String> newOptions) {
        return new DatasetSpec(format, root, newOptions, classOrderSeed, classOrder, initialClasses, classesPerTask,
                preprocessing, skipCorrupt, prefetchBatches, decodeThreads);
    }

    /** @return a copy with another class-order seed (and no explicit order) */
    public DatasetSpec withClassOrderSeed(long seed) {
        return new DatasetSpec(format, root, options, seed, null, initialClasses, classesPerTask, preprocessing,
                skipCorrupt, prefetchBatches, decodeThreads);
    }

    /** @return a copy with an explicit class order */
    public DatasetSpec withClassOrder(List<Integer> order) {
        return new DatasetSpec(format, root, options, classOrderSeed, order, initialClasses, classesPerTask,
                preprocessing, skipCorrupt, prefetchBatches, decodeThreads);
    }

    /** @return a copy with other preprocessing */
    public DatasetSpec withPreprocessing(PreprocessingSpec newPreprocessing) {
        return new DatasetSpec(format, root, options, classOrderSeed, classOrder, initialClasses, classesPerTask,
                newPreprocessing, skipCorrupt, prefetchBatches, decodeThreads);
    }

    /** @return a copy with another corrupt-input policy */
    public DatasetSpec withSkipCorrupt(boolean skip) {
        return new DatasetSpec(format, root, options, classOrderSeed, classOrder, initialClasses, classesPerTask,
                preprocessing, skip, prefetchBatches, decodeThreads);
    }

    /** @return a copy with other prefetch depth and decode thread count */
    public DatasetSpec withThreads(int newPrefetchBatches, int newDecodeThreads) {
        return new DatasetSpec(format, root, options, classOrderSeed, classOrder, initialClasses, classesPerTask,
                preprocessing, skipCorrupt, newPrefetchBatches, newDecodeThreads);
    }
}
