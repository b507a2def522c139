package io.github.sdlora4j.lora;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SD-LoRA-KD in its corrected form (spec sections 1.8 and 3, bugs 5 and 6): decides whether the current task's
 * direction is (almost) a linear combination of the previous tasks' directions and, if so, by how much each previous
 * magnitude should grow.
 *
 * <p>With {@code d_i} the previous normalized directions and {@code y} the current one, it solves
 * {@code min_c ||Σ_i c_i d_i − y||_F²} and merges when the residual is {@code < threshold} ({@code res < τ}, as in the
 * reference). Corrections over the reference code:
 * <ul>
 *   <li>zero directions (tasks already merged: norm 0, or {@code B·A = 0}) are excluded from the basis and get
 *       coefficient exactly 0; the other coefficients are returned at their own index;</li>
 *   <li>linearly dependent directions are handled: the minimum-norm least-squares solution is used;</li>
 *   <li>the residual is computed explicitly rather than taken from a LAPACK driver that may not return it.</li>
 * </ul>
 *
 * <p>Everything happens in {@code t × t} space: {@code G_ij = <d_i, d_j>_F} and {@code h_i = <d_i, y>_F} come from
 * {@link LowRankProducts} (so no {@code d × d} matrix is formed), and the normal equations {@code G c = h} are solved
 * in double through ND4J's symmetric eigen-decomposition of {@code G} (LAPACK {@code syev}), keeping only eigenvalues
 * above {@value #RELATIVE_EIGENVALUE_CUTOFF} times the largest (a singular-value ratio of 1e-5 in terms of the
 * directions themselves). The merge ignores the current task's learned scale, as paper and code both do (bug 7).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class DirectionAssimilator {

    /** The reference threshold τ (LIB yaml {@code knowledge_dist: [flag, 9e-4]}). */
    public static final double DEFAULT_THRESHOLD = 9e-4;

    /** Eigenvalues of G at or below this fraction of the largest are treated as zero (dependent directions). */
    public static final double RELATIVE_EIGENVALUE_CUTOFF = 1e-10;

    /**
     * A computed residual below 0 by at most this fraction of the cancelling terms is rounding and is clamped to 0;
     * anything more negative signals broken input and is an error.
     */
    public static final double NEGATIVE_ROUNDING_TOLERANCE = 1e-8;

    private static final Logger LOG = LoggerFactory.getLogger(DirectionAssimilator.class);

    private final double threshold;

    /**
     * @param threshold the merge threshold τ: merge when the residual is {@code < threshold}; 0 never merges a
     *                  non-zero direction
     * @throws IllegalArgumentException if the threshold is negative, NaN or infinite
     */
    public DirectionAssimilator(double threshold) {
        if (!Double.isFinite(threshold) || threshold < 0) {
            throw new IllegalArgumentException("KD merge threshold must be finite and >= 0 (reference: "
                    + DEFAULT_THRESHOLD + "), got " + threshold);
        }
        this.threshold = threshold;
    }

    /** Uses {@link #DEFAULT_THRESHOLD}. */
    public DirectionAssimilator() {
        this(DEFAULT_THRESHOLD);
    }

    /** @return the merge threshold τ */
    public double threshold() {
        return threshold;
    }

    /**
     * Fits the current direction on the previous ones.
     *
     * <p>Special cases: if the current direction is zero, dropping it is exact, so the result is merged with residual
     * 0 and all coefficients 0. If every previous direction is zero (or the list is empty) there is nothing to
     * absorb into: not merged, residual {@code ||y||²}, all coefficients 0.
     *
     * <p>The residual is evaluated from the Gram form {@code cᵀGc − 2cᵀh + ||y||²}; since that cancels, a result
     * below 0 by no more than {@value #NEGATIVE_ROUNDING_TOLERANCE} of the cancelling terms is rounding and is
     * reported as 0 (a larger negative value cannot arise from finite input and raises IllegalStateException).
     *
     * @param previous the previous tasks' directions, in task order; zero ones are allowed and excluded
     * @param current  the current task's direction
     * @return coefficients indexed like {@code previous}, the residual and the merge decision
     * @throws IllegalArgumentException if an argument or element is null, the directions act on different
     *                                  dimensions, or the factors hold non-finite values
     * @throws IllegalStateException    if the residual comes out negative beyond rounding (not expected)
     */
    public Assimilation assimilate(List<LowRankDirection> previous, LowRankDirection current) {
        validate(previous, current);
        double[] coefficients = new double[previous.size()];
        Factors y = Factors.of(current);
        double yy = y == null ? 0.0 : LowRankProducts.squaredNorm(y.b, y.a) * y.scale * y.scale;
        requireFinite(yy, "current direction");
        if (yy == 0.0) {
            return new Assimilation(coefficients, 0.0, true);
        }

        // The basis holds the non-zero previous directions; a non-finite factor shows up in the direction's own
        // squared norm, which names the culprit.
        List<Integer> basis = new ArrayList<>();
        List<Factors> factors = new ArrayList<>();
        List<Double> squaredNorms = new ArrayList<>();
        for (int i = 0; i < previous.size(); i++) {
            Factors f = Factors.of(previous.get(i));
            double squaredNorm = f == null ? 0.0 : LowRankProducts.squaredNorm(f.b, f.a) * f.scale * f.scale;
            requireFinite(squaredNorm, "previous direction " + i);
            if (squaredNorm > 0.0) {
                basis.add(i);
                factors.add(f);
                squaredNorms.add(squaredNorm);
            }
        }
        if (basis.isEmpty()) {
            return new Assimilation(coefficients, yy, false);
        }

        int m = basis.size();
        double[][] gram = new double[m][m];
        double[] h = new double[m];
        for (int p = 0; p < m; p++) {
            gram[p][p] = squaredNorms.get(p);
        }
        for (int p = 0; p < m; p++) {
            Factors fp = factors.get(p);
            for (int q = p + 1; q < m; q++) {
                Factors fq = factors.get(q);
                double g = LowRankProducts.inner(fp.b, fp.a, fq.b, fq.a) * fp.scale * fq.scale;
                requireFinite(g, "previous directions " + basis.get(p) + " and " + basis.get(q));
                gram[p][q] = g;
                gram[q][p] = g;
            }
            h[p] = LowRankProducts.inner(fp.b, fp.a, y.b, y.a) * fp.scale * y.scale;
            requireFinite(h[p], "previous direction " + basis.get(p) + " and the current direction");
        }

        double[] c = minimumNormSolution(gram, h, basis);
        double residual = residual(gram, h, c, yy);
        for (int p = 0; p < m; p++) {
            coefficients[basis.get(p)] = c[p];
        }
        return new Assimilation(coefficients, residual, residual < threshold);
    }

    /**
     * Solves {@code G c = h} in the least-squares, minimum-norm sense: {@code c = G⁺ h} with the pseudo-inverse
     * {@code G⁺ = V diag(1/λ) Vᵀ} over the eigenvalues above the cutoff. ND4J's least-squares op
     * ({@code Nd4j.linalg().lstsq}) is not used: it solves by Cholesky or QR and assumes full rank (in 1.0.0-M2.1 a
     * duplicated column gives NaN with {@code fast}, an op failure without).
     */
    private static double[] minimumNormSolution(double[][] gram, double[] h, List<Integer> basis) {
        int m = h.length;
        // syev overwrites its argument with the eigenvectors (as columns), so v starts as a copy of G.
        INDArray v = Nd4j.createFromArray(gram);
        double[] lambda = Eigen.symmetricGeneralizedEigenvalues(v, true).toDoubleVector();
        double largest = 0.0;
        for (double l : lambda) {
            largest = Math.max(largest, l);
        }
        double cutoff = RELATIVE_EIGENVALUE_CUTOFF * largest;
        double[] inverse = new double[m];
        int dropped = 0;
        for (int k = 0; k < m; k++) {
            if (lambda[k] > cutoff) {
                inverse[k] = 1.0 / lambda[k];
            } else {
                dropped++;
            }
        }
        if (dropped > 0) {
            LOG.debug("KD: {} of {} previous directions {} are linearly dependent; using the minimum-norm solution",
                    dropped, m, basis);
        }
        INDArray pseudoInverse = v.mulRowVector(Nd4j.createFromArray(inverse)).mmul(v.transpose());
        return pseudoInverse.mmul(Nd4j.createFromArray(h).reshape(m, 1)).toDoubleVector();
    }

    /**
     * {@code ||P c − y||² = cᵀ G c − 2 cᵀ h + ||y||²}. The exact value is ≥ 0; a slightly negative result is
     * rounding from the cancellation and is clamped to 0.
     */
    private static double residual(double[][] gram, double[] h, double[] c, double yy) {
        double cgc = 0.0;
        double ch = 0.0;
        for (int p = 0; p < c.length; p++) {
            double row = 0.0;
            for (int q = 0; q < c.length; q++) {
                row += gram[p][q] * c[q];
            }
            cgc += c[p] * row;
            ch += c[p] * h[p];
        }
        double residual = cgc - 2.0 * ch + yy;
        if (residual >= 0.0) {
            return residual;
        }
        double scale = Math.abs(cgc) + 2.0 * Math.abs(ch) + yy;
        if (residual >= -NEGATIVE_ROUNDING_TOLERANCE * scale) {
            return 0.0;
        }
        throw new IllegalStateException("KD residual came out negative beyond rounding (" + residual
                + " with ||y||^2 = " + yy + "); the Gram matrix is inconsistent with the directions");
    }

    private static void validate(List<LowRankDirection> previous, LowRankDirection current) {
        if (previous == null) {
            throw new IllegalArgumentException("KD: the list of previous directions must not be null (may be empty)");
        }
        if (current == null) {
            throw new IllegalArgumentException("KD: the current direction must not be null");
        }
        for (int i = 0; i < previous.size(); i++) {
            LowRankDirection d = previous.get(i);
            if (d == null) {
                throw new IllegalArgumentException("KD: previous direction " + i + " is null");
            }
            if (d.dimension() != current.dimension()) {
                throw new IllegalArgumentException("KD: previous direction " + i + " acts on d = " + d.dimension()
                        + " (B " + LowRankProducts.shape(d.b()) + ") but the current one on d = "
                        + current.dimension() + " (B " + LowRankProducts.shape(current.b()) + ")");
            }
        }
    }

    private static void requireFinite(double value, String what) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("KD: non-finite Gram product (" + value + ") for " + what
                    + "; the factors hold NaN/Inf values or a norm is too small to divide by");
        }
    }

    /** Double-precision factors of a non-zero direction and its scale {@code 1 / norm}. */
    private record Factors(INDArray b, INDArray a, double scale) {
        /** @return null for a zero direction */
        static Factors of(LowRankDirection d) {
            if (d.isZero()) {
                return null;
            }
            return new Factors(LowRankProducts.toDouble(d.b()), LowRankProducts.toDouble(d.a()), 1.0 / d.norm());
        }
    }
}
