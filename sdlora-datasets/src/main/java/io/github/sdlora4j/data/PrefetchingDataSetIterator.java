package io.github.sdlora4j.data;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.lang.ref.Cleaner;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@link DataSetIterator} on a background thread, up to {@code capacity} batches ahead of the
 * consumer, so that decoding and augmentation overlap the training step.
 *
 * <p>Written instead of ND4J's {@link org.nd4j.linalg.dataset.AsyncDataSetIterator} because in
 * 1.0.0-M2.1 that class hangs forever when the wrapped iterator throws: its prefetch thread records
 * the exception and dies without enqueuing its terminator, so {@code hasNext()} blocks in
 * {@code take()}. Here an exception from the background thread is re-thrown, with its original type
 * (e.g. {@link DatasetFormatException}), by the consumer's next {@code hasNext()}/{@code next()}.
 */
public final class PrefetchingDataSetIterator extends PreProcessingIterator {

    private static final long serialVersionUID = 1L;
    private static final Object END = new Object();
    private static final AtomicInteger THREAD_ID = new AtomicInteger();

    private static final Cleaner CLEANER = Cleaner.create();

    private final transient DataSetIterator base;
    private final int capacity;
    private transient Worker worker;
    private transient Cleaner.Cleanable cleanable;
    private transient Object head;

    /** A failure of the background thread, handed to the consumer in queue order. */
    private record Failure(RuntimeException error) {
    }

    /**
     * The background producer. It holds no reference to the iterator, so an iterator abandoned in
     * mid-epoch becomes unreachable and its {@link Cleaner} stops the thread instead of leaving it
     * parked in {@code put()} for ever.
     */
    private static final class Worker implements Runnable {
        final DataSetIterator base;
        final BlockingQueue<Object> queue;
        final Thread thread;
        volatile boolean stopping;

        Worker(DataSetIterator base, int capacity) {
            this.base = base;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.thread = new Thread(this, "sdlora-prefetch-" + THREAD_ID.incrementAndGet());
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (!stopping && base.hasNext()) {
                    queue.put(base.next());
                }
                queue.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!stopping) {
                    putQuietly(new Failure(e));
                }
            } catch (Error e) {
                if (!stopping) {
                    putQuietly(new Failure(new IllegalStateException("data loading failed: " + e, e)));
                }
                throw e;
            }
        }

        private void putQuietly(Object item) {
            try {
                queue.put(item);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Asks the thread to stop and unblocks it; safe to call from the Cleaner thread. */
        void requestStop() {
            stopping = true;
            thread.interrupt();
            queue.clear();
        }
    }

    /**
     * Starts prefetching immediately.
     *
     * @param base     iterator to run ahead; only the background thread touches it until {@link #reset()}
     * @param capacity batches buffered ahead (&gt;= 1)
     */
    public PrefetchingDataSetIterator(DataSetIterator base, int capacity) {
        this.base = Objects.requireNonNull(base, "base");
        if (capacity < 1) {
            throw new IllegalArgumentException("prefetch capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        start();
    }

    private void start() {
        Worker w = new Worker(base, capacity);
        worker = w;
        head = null;
        cleanable = CLEANER.register(this, w::requestStop);
        w.thread.start();
    }

    @Override
    public boolean hasNext() {
        if (head == null) {
            if (worker == null) {
                return false;
            }
            try {
                head = worker.queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the next batch", e);
            }
        }
        if (head instanceof Failure f) {
            throw f.error();
        }
        return head != END;
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more batches in this epoch; call reset()");
        }
        DataSet ds = (DataSet) head;
        head = null;
        return preProcessed(ds);
    }

    /** Not supported: the batch size is fixed when the background thread runs ahead. */
    @Override
    public DataSet next(int num) {
        if (num != base.batch()) {
            throw new UnsupportedOperationException("a prefetching iterator yields batches of " + base.batch()
                    + "; next(" + num + ") is not supported");
        }
        return next();
    }

    /** Stops the background thread, rewinds the wrapped iterator (next epoch) and prefetches again. */
    @Override
    public void reset() {
        shutdown();
        base.reset();
        start();
    }

    /** Stops the background thread; the iterator is exhausted until {@link #reset()}. */
    public void shutdown() {
        Worker w = worker;
        if (w == null) {
            return;
        }
        w.requestStop();
        cleanable.clean(); // runs requestStop again (harmless) and deregisters
        try {
            w.thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the prefetch thread", e);
        }
        worker = null;
        head = null;
    }

    @Override
    public int inputColumns() {
        return base.inputColumns();
    }

    @Override
    public int totalOutcomes() {
        return base.totalOutcomes();
    }

    @Override
    public boolean resetSupported() {
        return base.resetSupported();
    }

    /** @return false: this iterator already runs ahead, wrapping it again would only add a thread */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int batch() {
        return base.batch();
    }

    @Override
    public List<String> getLabels() {
        return base.getLabels();
    }
}
