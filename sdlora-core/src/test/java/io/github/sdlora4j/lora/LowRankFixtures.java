package io.github.sdlora4j.lora;

import java.util.List;
import java.util.Random;

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

    /** Gaussian factors B [d, r] and A [r, d] of {@code gaussian}, B drawn first. */
    static Factors factors(Random rng, int d, int r, DataType dtype) {
        INDArray b = gaussian(rng, d, r, dtype);
        return new Factors(b, gaussian(rng, r, d, dtype));
    }

    /** A pair of low-rank factors, B·A. */
    record Factors(INDArray b, INDArray a) {
        /** @return the materialized product, as {@link #product(INDArray, INDArray)} */
        INDArray product() {
            return LowRankFixtures.product(b, a);
        }
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

    /**
     * Minimum-norm least squares on the flattened directions, in plain double arithmetic independent of the code
     * under test: the Gram matrix of the materialized columns, a cyclic Jacobi eigen-decomposition of it with
     * eigenvalues at or below {@link DirectionAssimilator#RELATIVE_EIGENVALUE_CUTOFF} times the largest treated as
     * zero, and the residual {@code ||P c − y||²} evaluated on the flattened vectors themselves.
     */
    static Fit directLeastSquares(List<LowRankDirection> basis, LowRankDirection current) {
        double[] y = flatDirection(current);
        int n = basis.size();
        double[][] columns = new double[n][];
        for (int j = 0; j < n; j++) {
            columns[j] = flatDirection(basis.get(j));
        }
        double[][] gram = new double[n][n];
        double[] h = new double[n];
        for (int p = 0; p < n; p++) {
            for (int q = 0; q < n; q++) {
                gram[p][q] = dot(columns[p], columns[q]);
            }
            h[p] = dot(columns[p], y);
        }
        double[] lambda = new double[n];
        double[][] v = jacobiEigen(gram, lambda);
        double largest = 0;
        for (double l : lambda) {
            largest = Math.max(largest, l);
        }
        double[] c = new double[n];
        for (int k = 0; k < n; k++) {
            if (lambda[k] > DirectionAssimilator.RELATIVE_EIGENVALUE_CUTOFF * largest) {
                double weight = 0;
                for (int p = 0; p < n; p++) {
                    weight += v[p][k] * h[p];
                }
                weight /= lambda[k];
                for (int p = 0; p < n; p++) {
                    c[p] += weight * v[p][k];
                }
            }
        }
        double[] r = y.clone();
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < r.length; i++) {
                r[i] -= c[j] * columns[j][i];
            }
        }
        return new Fit(c, dot(r, r));
    }

    /**
     * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
     *
     * @param eigenvalues filled with the eigenvalues
     * @return the eigenvectors as columns, in the order of {@code eigenvalues}
     */
    static double[][] jacobiEigen(double[][] symmetric, double[] eigenvalues) {
        int n = symmetric.length;
        double[][] a = new double[n][];
        double[][] v = new double[n][n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            a[i] = symmetric[i].clone();
            v[i][i] = 1;
            total += dot(a[i], a[i]);
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off <= 1e-34 * total) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    // The rotation that zeroes a[p][q]: tan φ = t with cot 2φ = θ (Numerical Recipes, jacobi).
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double cos = 1 / Math.sqrt(t * t + 1);
                    double sin = t * cos;
                    rotateColumns(a, p, q, cos, sin);
                    rotateRows(a, p, q, cos, sin);
                    rotateColumns(v, p, q, cos, sin);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            eigenvalues[i] = a[i][i];
        }
        return v;
    }

    /** Columns p and q of {@code m} become {@code cos·p − sin·q} and {@code sin·p + cos·q}. */
    private static void rotateColumns(double[][] m, int p, int q, double cos, double sin) {
        for (double[] row : m) {
            double kp = row[p];
            double kq = row[q];
            row[p] = cos * kp - sin * kq;
            row[q] = sin * kp + cos * kq;
        }
    }

    /** Rows p and q of {@code m} become {@code cos·p − sin·q} and {@code sin·p + cos·q}. */
    private static void rotateRows(double[][] m, int p, int q, double cos, double sin) {
        double[] rp = m[p];
        double[] rq = m[q];
        for (int k = 0; k < rp.length; k++) {
            double pk = rp[k];
            double qk = rq[k];
            rp[k] = cos * pk - sin * qk;
            rq[k] = sin * pk + cos * qk;
        }
    }

    /** A direct least-squares result. */
    record Fit(double[] coefficients, double residual) {
    }
}
