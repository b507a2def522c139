package io.github.sdlora4j.lora;

import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.QkvAdapter;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes SD-LoRA's q/v terms into the ViT graph. Per block and projection, all terms are stacked into one
 * low-rank product, {@code Δ = (X·A_allᵀ)·(B_all ⊙ s)ᵀ}, with {@code A_all} [R, d] the rows of every task's A,
 * {@code B_all} [d, R] their B columns and {@code s} [1, R] the per-row scale {@code (α·E + β) ⊙ 1/n}
 * ({@code E} maps rows to tasks). A step therefore costs two GEMMs per projection whatever the number of
 * finished tasks; only R grows, by one rank per task. Once the finished tasks' rank passes {@code dim/4} they are
 * folded into the projection weight instead ({@link #weightDelta}), where their cost no longer grows at all.
 *
 * <p>In training mode the current task's A and B and the magnitude vector are SameDiff VARIABLEs, named
 * {@link #factorName} and {@value #MAGNITUDE}; every other array is a constant (A too, under the same name, when only
 * B trains).
 */
public final class SdLoraAdapterGraph implements QkvAdapter {

    /** Name of the magnitude vector α, shape [tasks]. */
    public static final String MAGNITUDE = "sdlora.magnitude";

    private final SdLoraState state;
    private final DirectionNorm norm;
    private final boolean trainable;
    private final boolean trainMagnitudes;
    private final boolean trainA;
    private final DataType type;
    private SDVariable magnitude;
    private SDVariable alphaRow;
    private final Map<String, List<AdapterTerm>> termsByProjection = new HashMap<>();

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
        this(state, norm, trainFactors, trainMagnitudes, trainFactors, type);
    }

    /**
     * @param trainA with {@code trainFactors}, whether A is a variable too; false trains B only (A stays a constant,
     *               so SameDiff computes no gradient for it)
     */
    public SdLoraAdapterGraph(SdLoraState state, DirectionNorm norm, boolean trainFactors, boolean trainMagnitudes,
                              boolean trainA, DataType type) {
        if (trainFactors && state.currentTask() < 0) {
            throw new IllegalStateException("No current task to train: call beforeTask first");
        }
        this.state = state;
        this.norm = norm;
        this.trainable = trainFactors;
        this.trainMagnitudes = trainMagnitudes;
        this.trainA = trainFactors && trainA;
        this.type = type;
    }

    /** {@code sdlora.blocks.{block}.attn.{q|v}.task{task}.{A|B}}: the tensor name used in graphs and files. */
    public static String factorName(int block, Projection p, int task, String factor) {
        return "sdlora.blocks." + block + ".attn." + p.key() + ".task" + task + "." + factor;
    }


    /**
     * Finished tasks whose summed rank exceeds {@code dim/4} are folded into the weight: per projection, the stacked
     * form costs about {@code 8·N·d·R} FLOPs a training step (two GEMMs forward, two backward) and the folded one
     * {@code 2·N·d²} (the weight gradient {@code Xᵀ·dY} that α's gradient then needs), so the step's cost stops
     * growing with the number of tasks. The current task always stays low-rank: its A and B train.
     */
    @Override
    public SDVariable weightDelta(SameDiff sd, int block, Projection p, double outputScale) {
        List<AdapterTerm> folded = terms(block, p, true);
        if (folded.isEmpty()) {
            return null;
        }
        // ΔW = A_allᵀ·diag((α·E + β) ⊙ 1/n)·B_allᵀ, with A_allᵀ·diag(1/n) a constant: the step only scales its
        // columns by α·E + β and multiplies by B_allᵀ.
        String prefix = projectionPrefix(block, p) + "weight.";
        RowMaps rows = rowMaps(folded, outputScale);
        List<INDArray> aColumns = new ArrayList<>();
        List<INDArray> bColumns = new ArrayList<>();
        for (AdapterTerm term : folded) {
            aColumns.add(term.factors().a().transpose());
            bColumns.add(term.factors().b());
        }
        SDVariable scaledA = sd.constant(prefix + "A.scaled", Nd4j.concat(1, aColumns.toArray(new INDArray[0]))
                .castTo(type).mulRowVector(rows.invNorm()).dup('c'));
        SDVariable bAll = sd.constant(prefix + "B", Nd4j.concat(1, bColumns.toArray(new INDArray[0]))
                .castTo(type).dup('c'));
        SDVariable gain = sd.mmul(alphaRow(sd), sd.constant(prefix + "rowTask", rows.rowTask()))
                .add(sd.constant(prefix + "assimilated", rows.assimilated()));
        return sd.mmul(scaledA.mul(gain), bAll, false, true, false);
    }

    @Override
    public SDVariable delta(SameDiff sd, int block, Projection p, SDVariable input, double outputScale) {
        List<AdapterTerm> terms = terms(block, p, false);
        if (terms.isEmpty()) {
            return null;
        }
        Stacked s = stack(sd, block, p, terms, outputScale);
        // The per-row scale goes on B [d, R] rather than on X·Aᵀ [N, R]: same product, and its backward
        // reduces over d rows instead of N.
        SDVariable low = sd.mmul(input, s.a(), false, true, false);
        return sd.mmul(low, s.b().mul(s.scale()), false, true, false);
    }

    /**
     * Whether finished tasks of summed rank {@code finishedRank} go into the weight of a projection of width
     * {@code dim} ({@link #weightDelta}) rather than into its low-rank term.
     */
    public static boolean foldsFinished(long dim, int finishedRank) {
        return finishedRank > dim / 4;
    }

    private static boolean foldFinished(List<AdapterTerm> terms) {
        int finishedRank = terms.stream().filter(t -> !t.current()).mapToInt(t -> t.factors().rank()).sum();
        return foldsFinished(terms.get(0).factors().a().size(1), finishedRank);
    }

    /**
     * The terms of one projection that go into its weight ({@code inWeight}: the finished ones, when folded) or into
     * the low-rank {@link #delta} (all the others).
     */
    private List<AdapterTerm> terms(int block, Projection p, boolean inWeight) {
        // weightDelta and delta both ask for one projection's terms; their norms are computed once.
        List<AdapterTerm> terms = termsByProjection.computeIfAbsent(block + "/" + p.key(),
                key -> AdapterTerm.of(state, norm, block, p));
        if (terms.isEmpty() || !foldFinished(terms)) {
            return inWeight ? List.of() : terms;
        }
        return terms.stream().filter(t -> t.current() != inWeight).toList();
    }

    /** A [R, d], B [d, R] and the per-row scale s [1, R] of a list of terms. */
    private record Stacked(SDVariable a, SDVariable b, SDVariable scale) {
    }

    private Stacked stack(SameDiff sd, int block, Projection p, List<AdapterTerm> terms, double outputScale) {
        List<SDVariable> as = new ArrayList<>();
        List<SDVariable> bs = new ArrayList<>();
        List<INDArray> frozenA = new ArrayList<>();
        List<INDArray> frozenB = new ArrayList<>();
        String prefix = projectionPrefix(block, p);
        for (AdapterTerm term : terms) {
            if (term.current() && trainable) {
                flush(sd, prefix, frozenA, frozenB, as, bs);
                String an = factorName(block, p, term.task(), "A");
                String bn = factorName(block, p, term.task(), "B");
                INDArray a = term.factors().a().castTo(type).dup('c');
                as.add(trainA ? sd.var(an, a) : sd.constant(an, a));
                bs.add(sd.var(bn, term.factors().b().castTo(type).dup('c')));
            } else {
                frozenA.add(term.factors().a());
                frozenB.add(term.factors().b());
            }
        }
        flush(sd, prefix, frozenA, frozenB, as, bs);
        SDVariable aAll = as.size() == 1 ? as.get(0) : sd.concat(0, as.toArray(new SDVariable[0]));
        SDVariable bAll = bs.size() == 1 ? bs.get(0) : sd.concat(1, bs.toArray(new SDVariable[0]));
        RowMaps rows = rowMaps(terms, outputScale);
        SDVariable scale = sd.mmul(alphaRow(sd), sd.constant(prefix + "rowTask", rows.rowTask()))
                .add(sd.constant(prefix + "assimilated", rows.assimilated()))
                .mul(sd.constant(prefix + "invNorm", rows.invNorm()));
        return new Stacked(aAll, bAll, scale);
    }

    /**
     * Per stacked row: which task's α it takes ({@code rowTask} [T, R], one-hot columns), its KD coefficient β and
     * its 1/n times {@code outputScale} (each [1, R]).
     */
    private record RowMaps(INDArray rowTask, INDArray assimilated, INDArray invNorm) {
    }

    private RowMaps rowMaps(List<AdapterTerm> terms, double outputScale) {
        int numTasks = state.numTasks();
        int totalRank = terms.stream().mapToInt(t -> t.factors().rank()).sum();
        double[] onehot = new double[numTasks * totalRank];
        double[] beta = new double[totalRank];
        double[] inv = new double[totalRank];
        int row = 0;
        for (AdapterTerm term : terms) {
            for (int j = 0; j < term.factors().rank(); j++) {
                onehot[term.task() * totalRank + row + j] = 1.0;
                beta[row + j] = term.assimilated();
                inv[row + j] = term.invNorm() * outputScale;
            }
            row += term.factors().rank();
        }
        return new RowMaps(matrix(onehot, numTasks, totalRank), matrix(beta, 1, totalRank), matrix(inv, 1, totalRank));
    }

    private static String projectionPrefix(int block, Projection p) {
        return "sdlora.blocks." + block + ".attn." + p.key() + ".";
    }

    /** Stacks the pending frozen factors into one constant pair so consecutive frozen tasks cost one concat. */
    private void flush(SameDiff sd, String projectionPrefix, List<INDArray> frozenA, List<INDArray> frozenB,
                       List<SDVariable> as, List<SDVariable> bs) {
        if (frozenA.isEmpty()) {
            return;
        }
        String prefix = projectionPrefix + "frozen" + as.size() + ".";
        INDArray a = Nd4j.concat(0, frozenA.toArray(new INDArray[0])).castTo(type);
        INDArray b = Nd4j.concat(1, frozenB.toArray(new INDArray[0])).castTo(type);
        as.add(sd.constant(prefix + "A", a.dup('c')));
        bs.add(sd.constant(prefix + "B", b.dup('c')));
        frozenA.clear();
        frozenB.clear();
    }

    private SDVariable magnitude(SameDiff sd) {
        if (magnitude == null) {
            INDArray values = Nd4j.create(state.magnitudes(), new long[]{state.numTasks()}, 'c').castTo(type);
            if (trainMagnitudes) {
                magnitude = sd.var(MAGNITUDE, values);
            } else {
                magnitude = sd.constant(MAGNITUDE, values);
            }
        }
        return magnitude;
    }

    /** α as a [1, T] row, shared by every projection's terms. */
    private SDVariable alphaRow(SameDiff sd) {
        if (alphaRow == null) {
            alphaRow = sd.reshape(magnitude(sd), 1, state.numTasks());
        }
        return alphaRow;
    }

    private INDArray matrix(double[] values, int rows, int cols) {
        return Nd4j.create(values, new long[]{rows, cols}, 'c').castTo(type);
    }
}
