package io.github.sdlora4j.fused;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Off-heap float arrays for ND4J's GEMM, and bulk copies between them and heap arrays. 2-D activations are
 * column-major ('f'), BLAS's own layout, so that no GEMM reorders its output.
 */
final class Matrices {

    private Matrices() {
    }

    /** A zeroed column-major [rows, cols] float matrix. */
    static INDArray matrix(long rows, long cols) {
        return Nd4j.create(DataType.FLOAT, new long[]{rows, cols}, 'f');
    }

    /** A zeroed row-major [batch, rows, cols] stack of matrices (attention scores per image and head). */
    static INDArray stack(long batch, long rows, long cols) {
        return Nd4j.create(DataType.FLOAT, new long[]{batch, rows, cols}, 'c');
    }

    /**
     * {@code c = op(a)·op(b) + beta·c}, straight to OpenBLAS when every operand is a float matrix BLAS can address
     * (column- or row-major with a leading dimension; views included) and {@code c} is column-major, else through
     * {@code Nd4j.gemm}. ND4J's gemm is a libnd4j custom op whose dispatch cost shows at the step's shapes: on
     * [1040, 192]·[192, 576|192|768] and [1040, 768]·[768, 192] it reached 80 GFLOP/s against OpenBLAS's 81 with
     * beta 0, 72 against 88 with beta 1 (1 thread), and 133–141 against 155 on two threads at once.
     */
    static void gemm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double beta) {
        int[] la = layout(a);
        int[] lb = layout(b);
        int[] lc = layout(c);
        if (la == null || lb == null || lc == null || lc[1] != 0) {
            Nd4j.gemm(a, b, c, transA, transB, 1.0, beta);
            return;
        }
        int m = (int) c.size(0);
        int n = (int) c.size(1);
        int k = (int) (transA ? a.size(0) : a.size(1));
        if ((transA ? a.size(1) : a.size(0)) != m || (transB ? b.size(1) : b.size(0)) != k
                || (transB ? b.size(0) : b.size(1)) != n) {
            throw new IllegalArgumentException("GEMM shapes do not fit: " + Arrays.toString(a.shape()) + (transA ? "ᵀ" : "")
                    + " · " + Arrays.toString(b.shape()) + (transB ? "ᵀ" : "") + " into " + Arrays.toString(c.shape()));
        }
        // A row-major operand is its transpose in column-major order.
        boolean opA = transA ^ la[1] == 1;
        boolean opB = transB ^ lb[1] == 1;
        openblas.cblas_sgemm(openblas.CblasColMajor, opA ? openblas.CblasTrans : openblas.CblasNoTrans,
                opB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, 1f, pointer(a), la[0], pointer(b), lb[0],
                (float) beta, pointer(c), lc[0]);
    }

    /**
     * {@code {leading dimension, 0}} for a column-major float matrix, {@code {leading dimension, 1}} for a row-major
     * one, null for anything BLAS cannot address in place (other types, other strides, empty).
     */
    private static int[] layout(INDArray x) {
        if (x.dataType() != DataType.FLOAT || x.rank() != 2 || x.isEmpty()) {
            return null;
        }
        long rows = x.size(0);
        long cols = x.size(1);
        long[] stride = x.stride();
        if (stride[0] == 1 && stride[1] >= rows) {
            return new int[]{Math.toIntExact(stride[1]), 0};
        }
        if (stride[1] == 1 && stride[0] >= cols) {
            return new int[]{Math.toIntExact(stride[0]), 1};
        }
        return null;
    }

    /** The address of {@code x}'s first element (a view's buffer starts at the view). */
    private static FloatPointer pointer(INDArray x) {
        return new FloatPointer(x.data().addressPointer());
    }

    /** Copies all of {@code a} (not a view: its buffer in memory order) into {@code dst}. */
    static void read(INDArray a, float[] dst) {
        buffer(a).get(0, dst, 0, (int) a.length());
    }

    /** Copies {@code dst.length} elements of {@code a} (not a view) from element {@code from} into {@code dst}. */
    static void read(INDArray a, long from, float[] dst) {
        buffer(a).get(Math.toIntExact(from), dst, 0, dst.length);
    }

    /** {@code a} as a whole row-major float array: {@code a} itself if it is one, else a copy. */
    static INDArray plain(INDArray a) {
        if (a.dataType() == DataType.FLOAT && !a.isView() && a.ordering() == 'c' && a.offset() == 0
                && a.data().length() == a.length()) {
            return a;
        }
        return a.castTo(DataType.FLOAT).dup('c');
    }

    /** Copies {@code src} into all of {@code a} (not a view), in memory order. */
    static void write(float[] src, INDArray a) {
        buffer(a).put(0, src, 0, (int) a.length());
    }

    /** The native memory of all of {@code a} (not a view), in native byte order. */
    static ByteBuffer bytes(INDArray a) {
        if (a.isView() || a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("Expected a whole FLOAT array, got a " + (a.isView() ? "view" : a.dataType()));
        }
        return a.data().asNio().order(ByteOrder.nativeOrder());
    }

    private static FloatBuffer buffer(INDArray a) {
        return bytes(a).asFloatBuffer();
    }
}
