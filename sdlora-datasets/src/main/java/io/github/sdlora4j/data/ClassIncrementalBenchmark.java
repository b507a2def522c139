package io.github.sdlora4j.data;

import io.github.sdlora4j.transforms.CenterCropTransform;
import io.github.sdlora4j.transforms.ImageTransform;
import io.github.sdlora4j.transforms.PreprocessingSpec;
import io.github.sdlora4j.transforms.RandomResizedCropTransform;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A class-incremental benchmark: a dataset, a class order and a task split (spec section 5).
 *
 * <p>Incremental label {@code k} is original class {@code classOrder()[k]}; task {@code t} introduces
 * the labels {@link #taskClasses(int)}. All iterators yield {@code DataSet}s with features
 * {@code [N, C, H, W]} float32 (in [0,1] unless normalization is configured) and one-hot float32 labels
 * {@code [N, numClasses()]}; they decode ahead of the consumer on a background thread
 * ({@link PrefetchingDataSetIterator}) and decode each batch's images on {@code decodeThreads} threads.
 *
 * <p>Close the benchmark to stop its decode threads (they are daemon threads, so forgetting it does
 * not keep the JVM alive).
 */
public final class ClassIncrementalBenchmark implements AutoCloseable {

    private static final AtomicInteger POOL_ID = new AtomicInteger();

    private final LabeledDataset data;
    private final int[] classOrder;
    private final int[] originalToIncremental;
    private final TaskSplit split;
    private final PreprocessingSpec preprocessing;
    private final List<String> classNames;
    private final int prefetchBatches;
    private final ExecutorService decodePool;
    private final SkipLog imageSkips;
    private final int[][] trainByLabel;
    private final int[][] testByLabel;
    /** Iterators still able to run, stopped by {@link #close()}; weak so abandoned ones can be collected. */
    private final Set<PrefetchingDataSetIterator> live = Collections.newSetFromMap(new WeakHashMap<>());

    /**
     * @param data            the dataset
     * @param classOrder      {@code classOrder[k]} = original class of incremental label k (validated)
     * @param initialClasses  classes in the first task
     * @param classesPerTask  classes in each later task
     * @param preprocessing   train/test preprocessing
     * @param skipCorrupt     skip undecodable images (warning and count) instead of failing
     * @param prefetchBatches batches decoded ahead (&gt;= 1)
     * @param decodeThreads   threads decoding one batch (&gt;= 1)
     */
    public ClassIncrementalBenchmark(LabeledDataset data, int[] classOrder, int initialClasses, int classesPerTask,
                                     PreprocessingSpec preprocessing, boolean skipCorrupt, int prefetchBatches,
                                     int decodeThreads) {
        this.data = Objects.requireNonNull(data, "data");
        this.classOrder = ClassOrders.validate(classOrder, data.numClasses());
        this.originalToIncremental = ClassOrders.inverse(this.classOrder);
        this.split = new TaskSplit(data.numClasses(), initialClasses, classesPerTask);
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        if (prefetchBatches < 1 || decodeThreads < 1) {
            throw new IllegalArgumentException("prefetchBatches and decodeThreads must be >= 1, got " + prefetchBatches
                    + " and " + decodeThreads);
        }
        this.prefetchBatches = prefetchBatches;
        List<String> names = new ArrayList<>();
        for (int c : this.classOrder) {
            names.add(data.classNames().get(c));
        }
        this.classNames = List.copyOf(names);
        this.imageSkips = new SkipLog(skipCorrupt, data.name());
        this.trainByLabel = groupByLabel(data.train(), "train");
        this.testByLabel = groupByLabel(data.test(), "test");
        this.decodePool = decodeThreads == 1 ? null : Executors.newFixedThreadPool(decodeThreads, daemonThreads());
    }

    /**
     * Reads the dataset and builds the benchmark described by {@code spec}.
     *
     * @throws DatasetFormatException   if the dataset files are missing or malformed
     * @throws IllegalArgumentException if the spec does not fit the dataset (class order, task sizes)
     */
    public static ClassIncrementalBenchmark open(DatasetSpec spec) {
        return open(spec, DatasetReaders.forName(spec.format()).read(spec.root(), spec.options(), spec.skipCorrupt()));
    }

    /**
     * Builds the benchmark {@code spec} describes over {@code data}, already read (or narrowed down) by the caller;
     * {@code spec}'s format, root and options are not read again.
     *
     * @throws IllegalArgumentException if the spec does not fit the dataset (class order, task sizes)
     */
    public static ClassIncrementalBenchmark open(DatasetSpec spec, LabeledDataset data) {
        int n = data.numClasses();
        int[] order = spec.classOrder() != null
                ? spec.classOrder().stream().mapToInt(i -> Objects.requireNonNull(i, "class order entry")).toArray()
                : ClassOrders.forSeed(n, spec.classOrderSeed());
        return new ClassIncrementalBenchmark(data, order, spec.initialClasses(), spec.classesPerTask(),
                spec.preprocessing(), spec.skipCorrupt(), spec.prefetchBatches(), spec.decodeThreads());
    }

    /**
     * The benchmark {@code spec} describes (class order, tasks, preprocessing, threads) over a DataVec pipeline:
     * {@code reader} is initialized on {@code train}, read, then on {@code test} (e.g. the two parts of
     * {@code new FileSplit(root, exts, rng).sample(pathFilter, 80, 20)}, or two {@code FileSplit}s). Records are
     * {@code [image, ..., label]} as {@link io.github.sdlora4j.datavec.RecordReaderDataset} describes; the classes are
     * the reader's {@code getLabels()}. {@code spec}'s format, root and options are not used.
     *
     * @throws DatasetFormatException   naming the record if one lacks an image or a label, or has a label outside
     *                                  the declared classes
     * @throws IllegalArgumentException if the spec does not fit the dataset (class order, task sizes)
     */
    public static ClassIncrementalBenchmark from(org.datavec.api.records.reader.RecordReader reader,
                                                 org.datavec.api.split.InputSplit train,
                                                 org.datavec.api.split.InputSplit test, DatasetSpec spec) {
        return open(spec, io.github.sdlora4j.datavec.RecordReaderDataset.read(reader, train, test, null));
    }

    /**
     * As {@link #from(org.datavec.api.records.reader.RecordReader, org.datavec.api.split.InputSplit,
     * org.datavec.api.split.InputSplit, DatasetSpec)}, over two readers already initialized on the train and the
     * test data (our formats' {@link io.github.sdlora4j.datavec.DatasetRecordReader}s, say).
     */
    public static ClassIncrementalBenchmark from(org.datavec.api.records.reader.RecordReader train,
                                                 org.datavec.api.records.reader.RecordReader test, DatasetSpec spec) {
        return open(spec, io.github.sdlora4j.datavec.RecordReaderDataset.read(train, test, null));
    }

    private int[][] groupByLabel(DatasetSplit s, String splitName) {
        int n = data.numClasses();
        int[] counts = new int[n];
        for (int i = 0; i < s.size(); i++) {
            int c = s.label(i);
            if (c < 0 || c >= n) {
                throw new DatasetFormatException(null, "expected original labels in 0.." + (n - 1) + " in the "
                        + splitName + " split of " + data.name() + ", " + s.source(i) + " has " + c);
            }
            counts[c]++;
        }
        int[][] byLabel = new int[n][];
        for (int k = 0; k < n; k++) {
            int c = classOrder[k];
            if (counts[c] == 0) {
                throw new DatasetFormatException(null, "expected every class in the " + splitName + " split of "
                        + data.name() + ", class " + c + " ('" + data.classNames().get(c) + "') has no image");
            }
            byLabel[k] = new int[counts[c]];
        }
        int[] fill = new int[n];
        for (int i = 0; i < s.size(); i++) {
            int k = originalToIncremental[s.label(i)];
            byLabel[k][fill[k]++] = i;
        }
        return byLabel;
    }

    private static ThreadFactory daemonThreads() {
        int id = POOL_ID.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "sdlora-decode-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** @return number of tasks */
    public int numTasks() {
        return split.numTasks();
    }

    /** @return number of classes over all tasks */
    public int numClasses() {
        return data.numClasses();
    }

    /** @return a copy of the class order: entry k is the original class of incremental label k */
    public int[] classOrder() {
        return classOrder.clone();
    }

    /** @return class names in incremental order */
    public List<String> classNames() {
        return classNames;
    }

    /** @return the task split */
    public TaskSplit taskSplit() {
        return split;
    }

    /** @return the incremental labels that task {@code t} introduces */
    public ClassRange taskClasses(int t) {
        return split.task(t);
    }

    /** @return number of classes learned before task {@code t} (the first label of task t) */
    public int knownClassesBefore(int t) {
        return split.task(t).start();
    }

    /** @return the preprocessing */
    public PreprocessingSpec preprocessing() {
        return preprocessing;
    }

    /** @return the underlying dataset */
    public LabeledDataset dataset() {
        return data;
    }

    /** @return how many images were skipped as corrupt so far (only with skipCorrupt) */
    public int skippedImages() {
        return imageSkips.count();
    }

    /** @return the number of training images of task {@code t} */
    public int trainSize(int t) {
        return count(trainByLabel, split.task(t));
    }

    /** @return the number of test images of the labels in {@code range} */
    public int testSize(ClassRange range) {
        return count(testByLabel, range);
    }

    /**
     * Training batches of task {@code t}: only its classes, reshuffled and re-augmented every epoch
     * (RandomResizedCrop + horizontal flip), deterministic for a given {@code seed}.
     */
    public DataSetIterator trainIterator(int t, int batchSize, long seed) {
        return iterator(trainByLabel, data.train(), split.task(t), batchSize,
                new RandomResizedCropTransform(preprocessing), true, seed);
    }

    /**
     * Training batches of task {@code t} with the test preprocessing (resize and centre crop, no augmentation), in a
     * fixed order, the same every epoch: for methods that take statistics of the training images rather than train
     * on them (SimpleCIL's class means are computed on test-transformed training images).
     */
    public DataSetIterator trainIteratorWithTestTransform(int t, int batchSize) {
        return iterator(trainByLabel, data.train(), split.task(t), batchSize,
                new CenterCropTransform(preprocessing), false, 0L);
    }

    /** Test batches of every class seen up to and including task {@code t}; deterministic, not shuffled. */
    public DataSetIterator testIteratorSeen(int t, int batchSize) {
        return iterator(testByLabel, data.test(), new ClassRange(0, split.task(t).end()), batchSize,
                new CenterCropTransform(preprocessing), false, 0L);
    }

    /** Test batches of the classes of task {@code j} only; deterministic, not shuffled. */
    public DataSetIterator testIteratorForTask(int j, int batchSize) {
        return iterator(testByLabel, data.test(), split.task(j), batchSize,
                new CenterCropTransform(preprocessing), false, 0L);
    }

    private DataSetIterator iterator(int[][] byLabel, DatasetSplit s, ClassRange range, int batchSize,
                                     ImageTransform transform, boolean shuffle, long seed) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
        }
        int total = count(byLabel, range);
        int[] indices = new int[total];
        int p = 0;
        for (int k = range.start(); k < range.end(); k++) {
            System.arraycopy(byLabel[k], 0, indices, p, byLabel[k].length);
            p += byLabel[k].length;
        }
        int[] labelMap = new int[data.numClasses()];
        java.util.Arrays.fill(labelMap, -1);
        for (int k = range.start(); k < range.end(); k++) {
            labelMap[classOrder[k]] = k;
        }
        ImageBatchIterator base = new ImageBatchIterator(s, indices, labelMap, data.numClasses(), classNames,
                batchSize, transform, shuffle, seed, decodePool, imageSkips);
        PrefetchingDataSetIterator it = new PrefetchingDataSetIterator(base, prefetchBatches);
        synchronized (live) {
            live.add(it);
        }
        return it;
    }

    private static int count(int[][] byLabel, ClassRange range) {
        int total = 0;
        for (int k = range.start(); k < range.end(); k++) {
            total += byLabel[k].length;
        }
        return total;
    }

    /** Stops the prefetch and decode threads; iterators created earlier must not be used afterwards. */
    @Override
    public void close() {
        List<PrefetchingDataSetIterator> its;
        synchronized (live) {
            its = new ArrayList<>(live);
            live.clear();
        }
        its.forEach(PrefetchingDataSetIterator::shutdown);
        if (decodePool != null) {
            decodePool.shutdownNow();
        }
    }
}
