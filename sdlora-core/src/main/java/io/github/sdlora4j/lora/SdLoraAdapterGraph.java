package io.github.sdlora4j.lora;

import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.QkvAdapter;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes an {@link SdLoraAlgebra} into the ViT graph: the SameDiff executor of SD-LoRA's terms. Per block and
 * projection, the {@link ProjectionTerms#lowRank low-rank} terms become one product {@code Δ = (X·Aᵀ)·(B ⊙ s)ᵀ}
 * with the stacked {@code A} [R, d], {@code B} [d, R] and per-row scale {@code s} [1, R] =
 * {@code (α·E + β) ⊙ 1/n} ({@code E} maps rows to tasks), so a step costs two GEMMs per projection whatever the
 * number of tasks; the {@link ProjectionTerms#inWeight folded} ones are added to the projection weight.
 *
 * <p>In training mode the current task's A and B and the magnitude vector are SameDiff VARIABLEs, named
 * {@link SdLoraAlgebra#factorName} and {@value SdLoraAlgebra#MAGNITUDE}; every other array is a constant (A too,
 * under its name, when only B trains).
 */
public final class SdLoraAdapterGraph implements QkvAdapter {

    private final SdLoraAlgebra algebra;
    private final DataType type;
    private SDVariable magnitude;
    private SDVariable alphaRow;

    /**
     * @param trainable whether the current task's factors and the magnitudes are variables to train
     */
    public SdLoraAdapterGraph(SdLoraState state, DirectionNorm norm, boolean trainable, DataType type) {
        this(state, norm, trainable, trainable, type);
    }

    /**
     * @param trainFactors    whether the current task's A and B are variables
     * @param trainMagnitudes whether the magnitudes are variables (plain LoRA fine-tuning keeps α fixed at 1)
     */
    public SdLoraAdapterGraph(SdLoraState state, DirectionNorm norm, boolean trainFactors, boolean trainMagnitudes,
                              DataType type) {
        this(SdLoraAlgebra.of(state, norm, new SdLoraAlgebra.Training(trainFactors, trainMagnitudes)), type);
    }

    /** Executes {@code algebra} in graphs of data type {@code type}. */
    public SdLoraAdapterGraph(SdLoraAlgebra algebra, DataType type) {
        if (algebra == null || type == null || !type.isFPType()) {
            throw new IllegalArgumentException("SdLoraAdapterGraph needs an algebra and a floating point type, got "
                    + algebra + " and " + type);
        }
        this.algebra = algebra;
        this.type = type;
    }

    /** The name of the constant that holds the folded terms' scaled A of one block and projection. */
    public static String foldedTermName(int block, Projection p) {
        return projectionPrefix(block, p) + "weight.A.scaled";
    }

    @Override
    public SDVariable weightDelta(SameDiff sd, int block, Projection p, double outputScale) {
        StackedTerms folded = algebra.terms(block, p).inWeight();
        if (folded.isEmpty()) {
            return null;
        }
        // ΔW = Aᵀ·diag((α·E + β) ⊙ 1/n)·Bᵀ, with Aᵀ·diag(1/n) a constant: the step only scales its columns by
        // α·E + β and multiplies by Bᵀ.
        String prefix = projectionPrefix(block, p) + "weight.";
        RowMaps rows = rowMaps(folded, outputScale);
        SDVariable scaledA = sd.constant(foldedTermName(block, p),
                folded.a(type).transpose().mulRowVector(rows.invNorm()).dup('c'));
        SDVariable bAll = sd.constant(prefix + "B", folded.b(type));
        SDVariable gain = sd.mmul(alphaRow(sd), sd.constant(prefix + "rowTask", rows.rowTask()))
                .add(sd.constant(prefix + "assimilated", rows.assimilated()));
        return sd.mmul(scaledA.mul(gain), bAll, false, true, false);
    }

    @Override
    public SDVariable delta(SameDiff sd, int block, Projection p, SDVariable input, double outputScale) {
        StackedTerms terms = algebra.terms(block, p).lowRank();
        if (terms.isEmpty()) {
            return null;
        }
        Stacked s = stack(sd, block, p, terms, outputScale);
        // The per-row scale goes on B [d, R] rather than on X·Aᵀ [N, R]: same product, and its backward
        // reduces over d rows instead of N.
        SDVariable low = sd.mmul(input, s.a(), false, true, false);
        return sd.mmul(low, s.b().mul(s.scale()), false, true, false);
    }

    /** A [R, d], B [d, R] and the per-row scale s [1, R] of a list of terms. */
    private record Stacked(SDVariable a, SDVariable b, SDVariable scale) {
    }

    private Stacked stack(SameDiff sd, int block, Projection p, StackedTerms terms, double outputScale) {
        List<SDVariable> as = new ArrayList<>();
        List<SDVariable> bs = new ArrayList<>();
        List<AdapterTerm> frozen = new ArrayList<>();
        String prefix = projectionPrefix(block, p);
        for (AdapterTerm term : terms.terms()) {
            if (algebra.trains(term)) {
                flush(sd, prefix, frozen, as, bs);
                String an = SdLoraAlgebra.factorName(block, p, term.task(), "A");
                String bn = SdLoraAlgebra.factorName(block, p, term.task(), "B");
                INDArray a = term.factors().a().castTo(type).dup('c');
                // A frozen (B-only training) is a constant of the same name: SameDiff computes no gradient for it.
                as.add(algebra.trainsA(term) ? sd.var(an, a) : sd.constant(an, a));
                bs.add(sd.var(bn, term.factors().b().castTo(type).dup('c')));
            } else {
                frozen.add(term);
            }
        }
        flush(sd, prefix, frozen, as, bs);
        SDVariable aAll = as.size() == 1 ? as.get(0) : sd.concat(0, as.toArray(new SDVariable[0]));
        SDVariable bAll = bs.size() == 1 ? bs.get(0) : sd.concat(1, bs.toArray(new SDVariable[0]));
        RowMaps rows = rowMaps(terms, outputScale);
        SDVariable scale = sd.mmul(alphaRow(sd), sd.constant(prefix + "rowTask", rows.rowTask()))
                .add(sd.constant(prefix + "assimilated", rows.assimilated()))
                .mul(sd.constant(prefix + "invNorm", rows.invNorm()));
        return new Stacked(aAll, bAll, scale);
    }

    /**
     * The algebra's per-row maps as graph constants: which task's α a row takes ({@code rowTask} [T, R], one-hot
     * columns), its KD coefficient β and its 1/n times {@code outputScale} (each [1, R]).
     */
    private record RowMaps(INDArray rowTask, INDArray assimilated, INDArray invNorm) {
    }

    private RowMaps rowMaps(StackedTerms terms, double outputScale) {
        int numTasks = algebra.numTasks();
        int rank = terms.rank();
        double[] onehot = new double[numTasks * rank];
        double[] beta = new double[rank];
        double[] inv = new double[rank];
        for (int j = 0; j < rank; j++) {
            onehot[terms.rowTask(j) * rank + j] = 1.0;
            beta[j] = terms.rowAssimilated(j);
            inv[j] = terms.rowInvNorm(j) * outputScale;
        }
        return new RowMaps(matrix(onehot, numTasks, rank), matrix(beta, 1, rank), matrix(inv, 1, rank));
    }

    private static String projectionPrefix(int block, Projection p) {
        return "sdlora.blocks." + block + ".attn." + p.key() + ".";
    }

    /** Stacks the pending frozen terms into one constant pair so consecutive frozen tasks cost one concat. */
    private void flush(SameDiff sd, String projectionPrefix, List<AdapterTerm> frozen, List<SDVariable> as,
                       List<SDVariable> bs) {
        if (frozen.isEmpty()) {
            return;
        }
        String prefix = projectionPrefix + "frozen" + as.size() + ".";
        StackedTerms stacked = new StackedTerms(frozen);
        as.add(sd.constant(prefix + "A", stacked.a(type)));
        bs.add(sd.constant(prefix + "B", stacked.b(type)));
        frozen.clear();
    }

    private SDVariable magnitude(SameDiff sd) {
        if (magnitude == null) {
            INDArray values = Nd4j.create(algebra.magnitudes(), new long[]{algebra.numTasks()}, 'c').castTo(type);
            if (algebra.training().magnitudes()) {
                magnitude = sd.var(SdLoraAlgebra.MAGNITUDE, values);
            } else {
                magnitude = sd.constant(SdLoraAlgebra.MAGNITUDE, values);
            }
        }
        return magnitude;
    }

    /** α as a [1, T] row, shared by every projection's terms. */
    private SDVariable alphaRow(SameDiff sd) {
        if (alphaRow == null) {
            alphaRow = sd.reshape(magnitude(sd), 1, algebra.numTasks());
        }
        return alphaRow;
    }

    private INDArray matrix(double[] values, int rows, int cols) {
        return Nd4j.create(values, new long[]{rows, cols}, 'c').castTo(type);
    }
}
