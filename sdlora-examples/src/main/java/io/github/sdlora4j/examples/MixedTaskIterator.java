package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ClassOrders;
import io.github.sdlora4j.data.PreProcessingIterator;
import io.github.sdlora4j.learner.TaskSeeds;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The union of several tasks' training iterators with batches that mix the tasks: it draws one batch from every
 * source that still has data, shuffles the images of these batches together (seeded, per epoch) and cuts them into
 * batches again. Used for methods whose {@code trainingScope()} is all seen classes, where feeding whole tasks one
 * after another would make every batch single-task.
 */
final class MixedTaskIterator extends PreProcessingIterator {

    private final List<DataSetIterator> sources;
    private final int batchSize;
    private final long seed;
    private final Deque<DataSet> ready = new ArrayDeque<>();
    private int epoch;
    private Random random;

    MixedTaskIterator(List<DataSetIterator> sources, int batchSize, long seed) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no source iterators");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        this.sources = List.copyOf(sources);
        this.batchSize = batchSize;
        this.seed = seed;
        this.random = new Random(seed);
    }

    @Override
    public boolean hasNext() {
        if (ready.isEmpty()) {
            refill();
        }
        return !ready.isEmpty();
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch exhausted; call reset()");
        }
        return preProcessed(ready.poll());
    }

    private void refill() {
        List<DataSet> drawn = new ArrayList<>();
        for (DataSetIterator s : sources) {
            if (s.hasNext()) {
                drawn.add(s.next());
            }
        }
        if (drawn.isEmpty()) {
            return;
        }
        DataSet all = DataSet.merge(drawn);
        int n = all.numExamples();
        int[] order = IntStream.range(0, n).toArray();
        ClassOrders.shuffle(order, random);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            int[] rows = java.util.Arrays.copyOfRange(order, from, to);
            INDArray flat = all.getFeatures().reshape('c', n, -1);
            ready.add(new DataSet(Nd4j.pullRows(flat, 1, rows).reshape('c', shapeWithBatch(all, rows.length)),
                    Nd4j.pullRows(all.getLabels(), 1, rows)));
        }
    }

    private static long[] shapeWithBatch(DataSet all, int batch) {
        long[] shape = all.getFeatures().shape().clone();
        shape[0] = batch;
        return shape;
    }

    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("batches have a fixed size of " + batchSize);
    }

    @Override
    public int inputColumns() {
        return sources.get(0).inputColumns();
    }

    @Override
    public int totalOutcomes() {
        return sources.get(0).totalOutcomes();
    }

    @Override
    public boolean resetSupported() {
        return sources.stream().allMatch(DataSetIterator::resetSupported);
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        for (DataSetIterator s : sources) {
            s.reset();
        }
        ready.clear();
        epoch++;
        random = new Random(TaskSeeds.derive(seed, epoch));
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public List<String> getLabels() {
        return sources.get(0).getLabels();
    }
}
