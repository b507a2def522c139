package io.github.sdlora4j.data;

import io.github.sdlora4j.transforms.ImageTransform;
import io.github.sdlora4j.transforms.PreprocessingSpec;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Turns a subset of a {@link DatasetSplit} into batches: features {@code [N, C, H, W]} float32, labels
 * one-hot {@code [N, numOutcomes]} float32 in the incremental label space.
 *
 * <p>Determinism: epoch {@code e} (0 at construction, +1 per {@link #reset()}) shuffles with
 * {@code new Random(mix(seed, e))}, and sample {@code p} of the epoch augments with a
 * {@link SplittableRandom} seeded from {@code (seed, e, p)}. The result therefore does not depend on
 * how many threads decode a batch. Usually wrapped by a {@link PrefetchingDataSetIterator}
 * (see {@link ClassIncrementalBenchmark}) so that decoding runs ahead of training.
 */
public final class ImageBatchIterator extends PreProcessingIterator {

    private static final long serialVersionUID = 1L;

    private final transient DatasetSplit split;
    private final int[] indices;
    private final int[] labelMap;
    private final int numOutcomes;
    private final List<String> labelNames;
    private final int batchSize;
    private final transient ImageTransform transform;
    private final boolean shuffle;
    private final long seed;
    private final transient ExecutorService decodePool;
    private final transient SkipLog skips;

    private int epoch;
    private int cursor;
    private int[] order;

    /**
     * @param split       images and original labels
     * @param indices     which images of {@code split} to iterate (copied)
     * @param labelMap    original class to incremental label ({@code -1}: class not allowed here)
     * @param numOutcomes width of the one-hot labels
     * @param labelNames  names of the incremental labels ({@code numOutcomes} entries)
     * @param batchSize   images per batch (the last batch may be smaller)
     * @param transform   preprocessing/augmentation
     * @param shuffle     reshuffle every epoch
     * @param seed        seed of shuffling and augmentation
     * @param decodePool  threads decoding the images of a batch in parallel, or {@code null} for the calling thread
     * @param skips       corrupt-image policy
     */
    ImageBatchIterator(DatasetSplit split, int[] indices, int[] labelMap, int numOutcomes, List<String> labelNames,
                       int batchSize, ImageTransform transform, boolean shuffle, long seed,
                       ExecutorService decodePool, SkipLog skips) {
        this.split = Objects.requireNonNull(split, "split");
        this.indices = indices.clone();
        this.labelMap = labelMap.clone();
        this.numOutcomes = numOutcomes;
        this.labelNames = List.copyOf(labelNames);
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.transform = Objects.requireNonNull(transform, "transform");
        this.shuffle = shuffle;
        this.seed = seed;
        this.decodePool = decodePool;
        this.skips = Objects.requireNonNull(skips, "skips");
        for (int i : this.indices) {
            int l = labelMap[split.label(i)];
            if (l < 0 || l >= numOutcomes) {
                throw new IllegalArgumentException("image " + split.source(i) + " has original class " + split.label(i)
                        + ", which is not part of this iterator");
            }
        }
        startEpoch();
    }

    private void startEpoch() {
        cursor = 0;
        order = indices.clone();
        if (shuffle) {
            ClassOrders.shuffle(order, new java.util.Random(mix(seed, epoch, -1)));
        }
    }

    /** @return number of images per epoch */
    public int numExamples() {
        return indices.length;
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " is exhausted; call reset()");
        }
        if (num <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + num);
        }
        int start = cursor;
        int n = Math.min(num, order.length - start);
        cursor += n;
        PreprocessingSpec spec = transform.spec();
        int per = spec.valuesPerImage();
        float[] features = new float[n * per];
        boolean[] ok = decode(start, n, features, per);
        int kept = 0;
        for (boolean b : ok) {
            kept += b ? 1 : 0;
        }
        if (kept == 0) {
            throw new DatasetFormatException(null, "expected at least one readable image in the batch starting at "
                    + split.source(order[start]) + "; all " + n + " were corrupt and skipped");
        }
        if (kept < n) {
            float[] compact = new float[kept * per];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (ok[i]) {
                    System.arraycopy(features, i * per, compact, k++ * per, per);
                }
            }
            features = compact;
        }
        float[] labels = new float[kept * numOutcomes];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (ok[i]) {
                labels[k++ * numOutcomes + labelMap[split.label(order[start + i])]] = 1f;
            }
        }
        DataSet ds = new DataSet(
                Nd4j.create(features, new long[] {kept, spec.channels(), spec.imageSize(), spec.imageSize()}, 'c'),
                Nd4j.create(labels, new long[] {kept, numOutcomes}, 'c'));
        ds.setLabelNames(labelNames);
        return preProcessed(ds);
    }

    private boolean[] decode(int start, int n, float[] features, int per) {
        boolean[] ok = new boolean[n];
        if (decodePool == null || n == 1) {
            for (int i = 0; i < n; i++) {
                ok[i] = decodeOne(start, i, features, per);
            }
            return ok;
        }
        List<Callable<Boolean>> jobs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final int slot = i;
            jobs.add(() -> decodeOne(start, slot, features, per));
        }
        try {
            List<Future<Boolean>> results = decodePool.invokeAll(jobs);
            for (int i = 0; i < n; i++) {
                ok[i] = results.get(i).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding a batch", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("decoding failed", e.getCause());
        }
        return ok;
    }

    private boolean decodeOne(int start, int slot, float[] features, int per) {
        int index = order[start + slot];
        try {
            RawImage img = split.image(index);
            transform.apply(img, new SplittableRandom(mix(seed, epoch, start + slot)), features, slot * per);
            return true;
        } catch (DatasetFormatException e) {
            skips.problem(e);
            return false;
        } catch (IllegalArgumentException e) {
            skips.problem(new DatasetFormatException(null, "expected an image the preprocessing accepts, "
                    + split.source(index) + " is not: " + e.getMessage(), e));
            return false;
        }
    }

    static long mix(long seed, long epoch, long position) {
        long h = seed ^ 0x2545F4914F6CDD1DL;
        h = (h ^ (epoch * 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (position * 0xC2B2AE3D27D4EB4FL)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 29);
    }

    @Override
    public int inputColumns() {
        return transform.spec().valuesPerImage();
    }

    @Override
    public int totalOutcomes() {
        return numOutcomes;
    }

    /** Starts the next epoch: a new shuffle and new augmentation draws, both determined by the seed. */
    @Override
    public void reset() {
        epoch++;
        startEpoch();
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public List<String> getLabels() {
        return labelNames;
    }
}
