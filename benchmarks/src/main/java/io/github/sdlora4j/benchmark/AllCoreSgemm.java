package io.github.sdlora4j.benchmark;

import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The sgemm limit on {@code threads} cores, measured two ways because either may be the higher on a given build:
 * one GEMM with the BLAS at {@code threads} threads (OpenBLAS may not grow its pool past the thread count it started
 * with, and the launcher starts it at one), and {@code threads} single-threaded GEMMs at once on separate operands
 * (the embarrassingly parallel best case). The limit is the better of the two.
 */
final class AllCoreSgemm implements AutoCloseable {

    private final SgemmProbe.Shape shape;
    private final int threads;
    private final ExecutorService pool;
    private final Runnable single;
    private final List<Runnable> each = new ArrayList<>();

    AllCoreSgemm(SgemmProbe.Shape shape, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.shape = shape;
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "sgemm-probe");
            t.setDaemon(true);
            return t;
        });
        this.single = SgemmProbe.prepare(shape);
        for (int i = 0; i < threads; i++) {
            each.add(SgemmProbe.prepare(shape));
        }
    }

    /** One GEMM with the BLAS at {@code threads} threads; the BLAS's previous count is restored afterwards. */
    Runnable threaded() {
        return () -> withBlasThreads(threads, single);
    }

    /** {@code threads} single-threaded GEMMs at once; {@link #concurrentFlops()} of work. */
    Runnable concurrent() {
        return () -> withBlasThreads(1, () -> {
            List<Future<?>> running = new ArrayList<>();
            each.forEach(g -> running.add(pool.submit(g)));
            try {
                for (Future<?> f : running) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while timing sgemm", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("sgemm probe failed", e.getCause());
            }
        });
    }

    double threadedFlops() {
        return shape.flops();
    }

    double concurrentFlops() {
        return threads * shape.flops();
    }

    SgemmProbe.Shape shape() {
        return shape;
    }

    int threads() {
        return threads;
    }

    private static void withBlasThreads(int count, Runnable body) {
        Blas blas = Nd4j.factory().blas();
        int previous = blas.getMaxThreads();
        blas.setMaxThreads(count);
        try {
            body.run();
        } finally {
            blas.setMaxThreads(previous);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
