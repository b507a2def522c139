package io.github.sdlora4j.lora;

import java.util.List;
import java.util.Random;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Random factors and brute-force references that materialize the d × d products (tests only). */
final class LowRankFixtures {

    private LowRankFixtures() {
    }

    /** Gaussian matrix in double, or rounded to float when {@code dtype} is FLOAT. */
    static INDArray gaussian(Random rng, int rows, int cols, DataType dtype) {
        double[][] values = new double[rows][cols];
        for (double[] row : values) {
            for (int j = 0; j < cols; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        INDArray x = Nd4j.create(values);
        return dtype == DataType.DOUBLE ? x : x.castTo(dtype);
    }

    /** The materialized d × d product B·A in double. */
    static INDArray product(INDArray b, INDArray a) {
        return b.castTo(DataType.DOUBLE).mmul(a.castTo(DataType.DOUBLE));
    }

    /** The direction B·A / norm, flattened; the zero vector for a zero direction. */
    static double[] flatDirection(LowRankDirection dir) {
        long d = dir.dimension();
        if (dir.isZero()) {
            return new double[(int) (d * d)];
        }
        return product(dir.b(), dir.a()).div(dir.norm()).dup('c').reshape(d * d).toDoubleVector();
    }

    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    /** Least squares on the flattened directions by Householder QR (needs an independent basis). */
    static Fit directLeastSquares(List<LowRankDirection> basis, LowRankDirection current) {
        double[] y = flatDirection(current);
        double[][] p = new double[y.length][basis.size()];
        for (int j = 0; j < basis.size(); j++) {
            double[] column = flatDirection(basis.get(j));
            for (int i = 0; i < y.length; i++) {
                p[i][j] = column[i];
            }
        }
        Array2DRowRealMatrix pm = new Array2DRowRealMatrix(p, false);
        RealVector yv = new ArrayRealVector(y, false);
        RealVector c = new QRDecomposition(pm).getSolver().solve(yv);
        RealVector r = pm.operate(c).subtract(yv);
        return new Fit(c.toArray(), r.dotProduct(r));
    }

    /** A direct least-squares result. */
    record Fit(double[] coefficients, double residual) {
    }
}
