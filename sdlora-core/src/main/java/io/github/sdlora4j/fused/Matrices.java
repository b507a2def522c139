package io.github.sdlora4j.fused;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

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

    /** {@code c = op(a)·op(b) + beta·c}. */
    static void gemm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double beta) {
        Nd4j.gemm(a, b, c, transA, transB, 1.0, beta);
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
