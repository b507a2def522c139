package io.github.sdlora4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrefetchingDataSetIteratorTest {

    /** Yields {@code n} one-row batches holding the epoch and position; fails at {@code failAt} if >= 0. */
    private static final class Counting extends PreProcessingIterator {
        final int n;
        final int failAt;
        int epoch;
        int pos;
        volatile String producerThread;

        Counting(int n, int failAt) {
            this.n = n;
            this.failAt = failAt;
        }

        @Override
        public DataSet next(int num) {
            return next();
        }

        @Override
        public DataSet next() {
            producerThread = Thread.currentThread().getName();
            if (pos == failAt) {
                throw new DatasetFormatException(null, "broken at " + pos);
            }
            int p = pos++;
            return new DataSet(Nd4j.createFromArray(new float[][] {{epoch, p}}), Nd4j.createFromArray(new float[][] {{1f}}));
        }

        @Override
        public boolean hasNext() {
            return pos < n;
        }

        @Override
        public void reset() {
            epoch++;
            pos = 0;
        }

        @Override
        public int inputColumns() {
            return 2;
        }

        @Override
        public int totalOutcomes() {
            return 1;
        }

        @Override
        public int batch() {
            return 1;
        }

        @Override
        public List<String> getLabels() {
            return List.of("x");
        }
    }

    private static List<float[]> drain(DataSetIterator it) {
        List<float[]> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next().getFeatures().toFloatVector());
        }
        return out;
    }

    @Test
    void yieldsEverythingInOrderFromABackgroundThread() {
        Counting base = new Counting(25, -1);
        PrefetchingDataSetIterator it = new PrefetchingDataSetIterator(base, 3);
        List<float[]> epoch0 = drain(it);
        assertEquals(25, epoch0.size());
        for (int i = 0; i < 25; i++) {
            assertEquals(i, epoch0.get(i)[1]);
        }
        assertNotEquals(Thread.currentThread().getName(), base.producerThread);
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void resetMidEpochStartsTheNextEpochCleanly() {
        PrefetchingDataSetIterator it = new PrefetchingDataSetIterator(new Counting(10, -1), 2);
        it.next();
        it.next();
        it.reset();
        List<float[]> epoch1 = drain(it);
        assertEquals(10, epoch1.size());
        assertEquals(1f, epoch1.get(0)[0], "after reset the wrapped iterator is in epoch 1");
        assertEquals(0f, epoch1.get(0)[1]);
        it.shutdown();
        assertFalse(it.hasNext());
    }

    @Test
    void anAbandonedIteratorStopsItsThread() throws InterruptedException {
        Counting base = new Counting(1000, -1);
        PrefetchingDataSetIterator it = new PrefetchingDataSetIterator(base, 2);
        it.next();
        String name = base.producerThread;
        it = null;
        Thread producer = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
                .findFirst().orElse(null);
        for (int i = 0; i < 100 && producer != null && producer.isAlive(); i++) {
            System.gc();
            producer.join(100);
        }
        assertFalse(producer != null && producer.isAlive(), "the producer of an unreachable iterator must stop");
        assertTrue(base.pos < 1000, "the producer must not run the whole epoch");
    }

    @Test
    void aFailureRightAfterAFullQueueIsStillDelivered() throws InterruptedException {
        PrefetchingDataSetIterator it = new PrefetchingDataSetIterator(new Counting(10, 3), 1);
        Thread.sleep(200); // let the producer fill the queue and block before the failing item
        assertEquals(0f, it.next().getFeatures().getFloat(0, 1));
        assertEquals(1f, it.next().getFeatures().getFloat(0, 1));
        assertEquals(2f, it.next().getFeatures().getFloat(0, 1));
        assertThrows(DatasetFormatException.class, it::next);
    }

    @Test
    void appliesItsPreProcessorToEveryBatchItHandsOut() {
        PrefetchingDataSetIterator it = new PrefetchingDataSetIterator(new Counting(3, -1), 2);
        org.nd4j.linalg.dataset.api.DataSetPreProcessor times10 = ds -> ds.getFeatures().muli(10);
        it.setPreProcessor(times10);
        assertSame(times10, it.getPreProcessor());
        List<float[]> epoch0 = drain(it);
        assertEquals(List.of(0f, 10f, 20f), epoch0.stream().map(f -> f[1]).toList());
    }

    /** ND4J's AsyncDataSetIterator blocks forever here; this one re-throws the original exception. */
    @Test
    void errorsOfTheBackgroundThreadReachTheConsumer() {
        PrefetchingDataSetIterator it = new PrefetchingDataSetIterator(new Counting(10, 4), 2);
        for (int i = 0; i < 4; i++) {
            it.next();
        }
        DatasetFormatException e = assertThrows(DatasetFormatException.class, it::hasNext);
        assertEquals("<embedded data>: broken at 4", e.getMessage());
        assertSame(e, assertThrows(DatasetFormatException.class, it::next), "the failure stays visible");
    }
}
