package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.vit.VitConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * The machine's limit as ND4J sees it: single-precision GEMM ({@code Nd4j.gemm}) into a preallocated output, at the
 * shapes of the training step and at 2048³. Operands are f-order (column-major, BLAS's native layout) unless the
 * shape says otherwise, so the figure is what the BLAS can do without layout copies.
 */
final class SgemmProbe {

    /**
     * One GEMM shape: {@code [m x k] · [k x n]}.
     *
     * @param name   what it is in the step
     * @param order  layout of all three matrices ('f' or 'c')
     */
    record Shape(String name, int m, int k, int n, char order) {

        double flops() {
            return 2.0 * m * k * n;
        }

        String label() {
            return "[" + m + "x" + k + "]x[" + k + "x" + n + "]" + (order == 'c' ? " c-order" : "");
        }
    }

    /**
     * Result for one shape.
     *
     * @param medianMs median milliseconds of one GEMM
     */
    record Result(Shape shape, double medianMs) {

        double gflops() {
            return shape.flops() / (medianMs * 1e6);
        }
    }

    private final int minRuns;
    private final double minSeconds;

    /** Each shape runs at least {@code minRuns} times and at least {@code minSeconds} in total, after one warm-up. */
    SgemmProbe(int minRuns, double minSeconds) {
        this.minRuns = minRuns;
        this.minSeconds = minSeconds;
    }

    /** The dense products of a training step on {@code batch} images (rows = batch · tokens). */
    static List<Shape> stepShapes(VitConfig c, int batch) {
        int rows = batch * c.numTokens();
        int d = c.dim();
        List<Shape> s = new ArrayList<>();
        s.add(new Shape("qkv", rows, d, 3 * d, 'f'));
        s.add(new Shape("proj", rows, d, d, 'f'));
        s.add(new Shape("fc1", rows, d, c.mlpDim(), 'f'));
        s.add(new Shape("fc2", rows, c.mlpDim(), d, 'f'));
        s.add(new Shape("qkv_grad_input", rows, 3 * d, d, 'f'));
        // The same qkv product with c-order operands and output, the layout a row-major graph naturally produces.
        s.add(new Shape("qkv_c_order", rows, d, 3 * d, 'c'));
        return s;
    }

    /** The classic peak probe. */
    static Shape square(int size) {
        return new Shape("square", size, size, size, 'f');
    }

    Result measure(Shape s) {
        Runnable gemm = prepare(s);
        gemm.run();
        List<Double> times = new ArrayList<>();
        double total = 0;
        while (times.size() < minRuns || total < minSeconds * 1e3) {
            double ms = StepTimer.timeOnce(gemm);
            times.add(ms);
            total += ms;
        }
        return new Result(s, StepTimer.median(times.stream().mapToDouble(Double::doubleValue).toArray()));
    }

    /** One GEMM of shape {@code s} on operands and an output allocated once, here. */
    static Runnable prepare(Shape s) {
        INDArray a = Nd4j.rand(DataType.FLOAT, s.order(), s.m(), s.k());
        INDArray b = Nd4j.rand(DataType.FLOAT, s.order(), s.k(), s.n());
        INDArray out = Nd4j.create(DataType.FLOAT, new long[]{s.m(), s.n()}, s.order());
        return () -> Nd4j.gemm(a, b, out, false, false, 1.0, 0.0);
    }

    /**
     * The rate the step's products would reach if each ran at its measured sgemm speed: total FLOPs over the
     * summed time, each shape weighted by how often the step runs it per block (forward and backward).
     */
    static double stepWeightedGflops(VitConfig c, List<Result> results) {
        double flops = 0;
        double ms = 0;
        for (Result r : results) {
            int uses = switch (r.shape().name()) {
                case "qkv", "qkv_grad_input" -> 1;
                case "proj", "fc1", "fc2" -> 2; // forward, and the input gradient of the same size
                default -> 0;
            };
            flops += uses * r.shape().flops();
            ms += uses * r.medianMs();
        }
        return ms == 0 ? Double.NaN : flops / (ms * 1e6);
    }
}
