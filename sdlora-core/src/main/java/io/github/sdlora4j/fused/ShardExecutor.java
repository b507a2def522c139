package io.github.sdlora4j.fused;

import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs the shards of one batch in parallel: shard 0 on the calling thread, the others on this executor's own
 * threads, each with single-threaded BLAS and ND4J ops. Per-shard calls scale with the cores where one multi-threaded
 * call per product does not: OpenBLAS's threads and libnd4j's oversubscribe the cores and spin.
 *
 * <p>The pool's threads are daemons and end after {@value #IDLE_SECONDS} s idle, so an executor nobody closes
 * costs nothing once its training is over.
 */
final class ShardExecutor {

    private static final int IDLE_SECONDS = 30;
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private final int threads;
    private final ThreadPoolExecutor pool;

    ShardExecutor(int threads) {
        this.threads = FusedThreads.require(threads, "The fused engine");
        if (threads == 1) {
            pool = null;
        } else {
            pool = new ThreadPoolExecutor(threads - 1, threads - 1, IDLE_SECONDS, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "sdlora-fused-" + THREAD_NUMBER.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true);
        }
    }

    int threads() {
        return threads;
    }

    /**
     * {@code [first, first + size)} of each of {@code shards} contiguous shares of {@code count} items, as
     * {@code {first0, size0, first1, size1, ...}}; the first {@code count % shards} shares get one item more.
     */
    static int[] split(int count, int shards) {
        int[] ranges = new int[2 * shards];
        int first = 0;
        for (int s = 0; s < shards; s++) {
            int size = count / shards + (s < count % shards ? 1 : 0);
            ranges[2 * s] = first;
            ranges[2 * s + 1] = size;
            first += size;
        }
        return ranges;
    }

    /**
     * Runs {@code shard} for 0 … {@code shards − 1} (at most {@link #threads()}) and returns when all have ended;
     * the failure of the lowest failing shard is rethrown.
     */
    void run(int shards, IntConsumer shard) {
        if (shards < 1 || shards > threads) {
            throw new IllegalArgumentException("Expected 1 to " + threads + " shards, got " + shards);
        }
        if (shards == 1) {
            shard.accept(0);
            return;
        }
        SingleThreadedNatives.enter();
        try {
            Future<?>[] others = new Future<?>[shards - 1];
            for (int s = 1; s < shards; s++) {
                int index = s;
                others[s - 1] = pool.submit(() -> shard.accept(index));
            }
            Throwable failure = null;
            try {
                shard.accept(0);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            boolean interrupted = false;
            for (Future<?> f : others) {
                // Every shard must end before the caller reads (or reuses) the arrays they write.
                while (true) {
                    try {
                        f.get();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException e) {
                        failure = failure == null ? e.getCause() : failure;
                        break;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException("A shard of the fused engine failed", failure);
            }
        } finally {
            SingleThreadedNatives.exit();
        }
    }

    /**
     * OpenBLAS's thread count and libnd4j's are settings of the process: they are 1 while any executor runs shards
     * (so that the shards' products and ops do not start threads of their own), and go back to what they were when
     * the last one ends.
     */
    private static final class SingleThreadedNatives {
        private static int running;
        private static int blasThreads;
        private static int opThreads;
        private static int opMasterThreads;

        static synchronized void enter() {
            if (running++ == 0) {
                Blas blas = Nd4j.factory().blas();
                Environment env = Nd4j.getEnvironment();
                blasThreads = blas.getMaxThreads();
                opThreads = env.maxThreads();
                opMasterThreads = env.maxMasterThreads();
                if (blasThreads != 1) {
                    blas.setMaxThreads(1);
                }
                env.setMaxThreads(1);
                env.setMaxMasterThreads(1);
            }
        }

        static synchronized void exit() {
            if (--running == 0) {
                if (blasThreads != 1) {
                    Nd4j.factory().blas().setMaxThreads(blasThreads);
                }
                Nd4j.getEnvironment().setMaxThreads(opThreads);
                Nd4j.getEnvironment().setMaxMasterThreads(opMasterThreads);
            }
        }
    }
}
