package io.github.sdlora4j.inflora;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * The subspace M of one layer's input space that earlier tasks' inputs occupy: InfLoRA's gradient projection memory
 * in its dual form (DualGPM, Liang and Li 2023), which keeps an orthonormal basis of M while M is at most half the
 * space and of its orthogonal complement once it grows beyond, whichever is smaller. Immutable.
 *
 * <p>{@link #updated} follows InfLoRA's reference code: a task's representation is the mean outer product of its
 * layer inputs (a {@code d×d} matrix), its energy is the sum of its squared singular values, and M takes the leading
 * new directions until the fraction of the task's energy inside M reaches the threshold ε.
 */
public final class SubspaceMemory {

    /** Singular values below this fraction of the largest count as zero (directions a matrix does not reach). */
    private static final double RELATIVE_RANK_CUTOFF = 1e-10;

    private final int dim;
    /** Orthonormal columns [dim, k]; null when k = 0. */
    private final INDArray basis;
    /** Whether {@link #basis} spans the complement of M (DualGPM's "retain" form) rather than M ("remove"). */
    private final boolean complement;

    private SubspaceMemory(int dim, INDArray basis, boolean complement) {
        this.dim = dim;
        this.basis = basis;
        this.complement = complement;
    }

    /** No task seen yet: M = {0} in a space of {@code dim} dimensions. */
    public static SubspaceMemory empty(int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be positive, got " + dim);
        }
        return new SubspaceMemory(dim, null, false);
    }

    /**
     * A memory from a stored basis (as {@link #storedBasis} and {@link #storesComplement} give it).
     *
     * @param basis orthonormal columns [dim, k], or null for k = 0
     * @throws IllegalArgumentException if the basis has another height or its columns are not orthonormal
     */
    public static SubspaceMemory of(int dim, INDArray basis, boolean complement) {
        empty(dim);
        if (basis == null) {
            return new SubspaceMemory(dim, null, complement);
        }
        if (basis.rank() != 2 || basis.size(0) != dim || basis.size(1) > dim) {
            throw new IllegalArgumentException("A memory basis must be [" + dim + ", k] with k <= " + dim + ", got "
                    + Arrays.toString(basis.shape()));
        }
        INDArray b = basis.castTo(DataType.DOUBLE).dup('c');
        double offOrthonormal = b.transpose().mmul(b).subi(Nd4j.eye(b.size(1)).castTo(DataType.DOUBLE))
                .amaxNumber().doubleValue();
        if (!(offOrthonormal < 1e-6)) {
            throw new IllegalArgumentException("A memory basis must have orthonormal columns; |BᵀB - I| reaches "
                    + offOrthonormal);
        }
        return new SubspaceMemory(dim, b, complement);
    }

    /** The width d of the layer's input. */
    public int dim() {
        return dim;
    }

    /** dim M. */
    public int dimension() {
        int k = basis == null ? 0 : (int) basis.size(1);
        return complement ? dim - k : k;
    }

    /** The basis as stored, [dim, k] double (a copy), or null for k = 0; of M, or of its complement. */
    public INDArray storedBasis() {
        return basis == null ? null : basis.dup();
    }

    /** Whether {@link #storedBasis} spans M's orthogonal complement rather than M. */
    public boolean storesComplement() {
        return complement;
    }

    /** An orthonormal basis of M, [dim, dim M] double; null when M = {0}. */
    public INDArray memoryBasis() {
        return complement ? complementOf(basis, dim) : storedBasis();
    }

    /** An orthonormal basis of M's orthogonal complement, [dim, dim - dim M] double; null when M is everything. */
    public INDArray freeBasis() {
        return complement ? storedBasis() : complementOf(basis, dim);
    }

    /** {@code x} [dim, n] with its component in M removed: {@code (I − Π_M)·x}, in double. */
    public INDArray orthogonalPart(INDArray x) {
        INDArray m = x.castTo(DataType.DOUBLE);
        if (basis == null) {
            return complement ? Nd4j.zeros(DataType.DOUBLE, m.shape()) : m.dup();
        }
        INDArray projected = basis.mmul(basis.transpose().mmul(m));
        return complement ? projected : m.sub(projected);
    }

    /**
     * M after a task whose layer inputs have mean outer product {@code representation} [dim, dim], with threshold
     * {@code epsilon} in (0, 1]: the leading directions of the representation outside M join M until M holds the
     * fraction ε of its energy (for the first task, the leading directions whose cumulated energy stays below ε, at
     * least one). Once M exceeds half the space the complement is stored instead.
     */
    public SubspaceMemory updated(INDArray representation, double epsilon) {
        if (representation.rank() != 2 || representation.size(0) != dim || representation.size(1) != dim) {
            throw new IllegalArgumentException("The representation must be [" + dim + ", " + dim + "], got "
                    + Arrays.toString(representation.shape()));
        }
        if (!(epsilon > 0 && epsilon <= 1)) {
            throw new IllegalArgumentException("The memory threshold must be in (0, 1], got " + epsilon);
        }
        SingularVectors whole = SingularVectors.of(representation);
        double total = sum(whole.energies());
        if (!(total > 0)) {
            return this; // a task without input energy adds no direction
        }
        SubspaceMemory next;
        if (basis == null && !complement) {
            double[] energies = whole.energies();
            double cumulated = 0;
            int r = 0;
            for (double e : energies) {
                cumulated += e / total;
                if (cumulated < epsilon) {
                    r++;
                }
            }
            next = new SubspaceMemory(dim, whole.leading(Math.max(r, 1)), false);
        } else {
            SingularVectors outside = SingularVectors.of(orthogonalPart(representation));
            double[] ratio = Arrays.stream(outside.energies()).map(e -> e / total).toArray();
            double outsideFraction = sum(outside.energies()) / total;
            double inside = (total - sum(outside.energies())) / total;
            int r = 0;
            int reachable = numericalRank(outside.values());
            // "remove" adds while the energy inside M is below ε; "retain" while the energy outside is at least 1 − ε.
            while (r < reachable && (complement ? outsideFraction >= 1 - epsilon : inside < epsilon)) {
                inside += ratio[r];
                outsideFraction -= ratio[r];
                r++;
            }
            if (r == 0) {
                return this;
            }
            next = complement ? shrunkComplement(outside.leading(r)) : grown(outside.leading(r));
        }
        return next.compact();
    }

    private SubspaceMemory grown(INDArray added) {
        INDArray joined = basis == null ? added : Nd4j.concat(1, basis, added);
        long keep = Math.min(joined.size(1), dim);
        return new SubspaceMemory(dim, joined.get(NDArrayIndex.all(), NDArrayIndex.interval(0, keep)).dup('c'), false);
    }

    /** The complement without the directions {@code added} (which lie in it): the leading k − r directions left. */
    private SubspaceMemory shrunkComplement(INDArray added) {
        int left = (int) (basis.size(1) - added.size(1));
        if (left <= 0) {
            return new SubspaceMemory(dim, null, true);
        }
        INDArray rest = basis.sub(added.mmul(added.transpose().mmul(basis)));
        return new SubspaceMemory(dim, SingularVectors.of(rest).leading(left), true);
    }

    /** DualGPM's storage rule: once M spans more than half the space, keep its complement instead. */
    private SubspaceMemory compact() {
        if (!complement && basis != null && basis.size(1) > dim / 2.0) {
            return new SubspaceMemory(dim, complementOf(basis, dim), true);
        }
        return this;
    }

    /** Orthonormal columns spanning the complement of {@code columns}'s span; null when there is none. */
    private static INDArray complementOf(INDArray columns, int dim) {
        if (columns == null) {
            return Nd4j.eye(dim).castTo(DataType.DOUBLE);
        }
        int k = (int) columns.size(1);
        if (k >= dim) {
            return null;
        }
        INDArray u = SingularVectors.of(columns).u();
        return u.get(NDArrayIndex.all(), NDArrayIndex.interval(k, dim)).dup('c');
    }

    private static int numericalRank(double[] values) {
        double cutoff = values.length == 0 ? 0 : values[0] * RELATIVE_RANK_CUTOFF;
        int r = 0;
        for (double v : values) {
            if (v > cutoff) {
                r++;
            }
        }
        return r;
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
