package io.github.sdlora4j.lora;

import io.github.sdlora4j.vit.Projection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The algebra against the method written out densely: per block and projection its terms sum to
 * {@code Σ_{i≠c} (α_i + β_i)·B_iA_i/n_i + α_c·B_cA_c}, in the stacked form the executors use as well as term by term,
 * and its fold rule splits them between weight and low-rank parts without losing or doubling any.
 */
class SdLoraAlgebraTest {

    private static final int DIM = 32;
    private static final int DEPTH = 2;

    private static SdLoraState state(long seed, int... ranks) {
        Random gaussian = new Random(seed);
        SdLoraState state = new SdLoraState(DEPTH);
        double[] alpha = new double[ranks.length];
        for (int t = 0; t < ranks.length; t++) {
            TaskAdapter adapter = TaskAdapter.initial(DEPTH, DIM, ranks[t], new SplittableRandom(seed + t), DataType.FLOAT);
            for (int l = 0; l < DEPTH; l++) {
                for (Projection p : Projection.values()) {
                    adapter.set(l, p, new LoraFactors(adapter.get(l, p).a(),
                            LowRankFixtures.gaussian(gaussian, DIM, ranks[t], DataType.FLOAT)));
                }
            }
            state.addTask(adapter);
            alpha[t] = 0.5 + 0.3 * t;
        }
        state.setMagnitudes(alpha);
        state.setAssimilated(1, Projection.V, 0, 0.25);
        state.setAssimilated(0, Projection.Q, 1, -0.4);
        return state;
    }

    /** The method's ΔW for one block and projection, from the factors alone, with dense norms. */
    private static INDArray dense(SdLoraState state, DirectionNorm norm, int block, Projection p) {
        INDArray sum = Nd4j.zeros(DataType.DOUBLE, DIM, DIM);
        double[] alpha = state.magnitudes();
        for (int t = 0; t < state.numTasks(); t++) {
            LoraFactors f = state.task(t).get(block, p);
            INDArray ba = LowRankFixtures.product(f.b(), f.a());
            if (t == state.currentTask()) {
                sum.addi(ba.mul(alpha[t]));
            } else {
                double n = norm == DirectionNorm.PRODUCT ? ba.norm2Number().doubleValue()
                        : f.b().castTo(DataType.DOUBLE).norm2Number().doubleValue()
                        * f.a().castTo(DataType.DOUBLE).norm2Number().doubleValue();
                if (n > 0) {
                    sum.addi(ba.mul((alpha[t] + state.assimilated(block, p, t)) / n));
                }
            }
        }
        return sum;
    }

    /** {@code B·diag(s)·A} from the stacked arrays and per-row scales, as the executors form it. */
    private static INDArray stacked(StackedTerms terms, double[] alpha) {
        double[] s = new double[terms.rank()];
        for (int j = 0; j < s.length; j++) {
            s[j] = terms.rowScale(j, alpha);
        }
        INDArray b = terms.b(DataType.DOUBLE).mulRowVector(Nd4j.create(s, new long[]{1, s.length}, 'c'));
        return b.mmul(terms.a(DataType.DOUBLE));
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double err = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(err <= 1e-5, what + ": max error " + err);
    }

    @ParameterizedTest(name = "ranks {0}, {1}")
    @CsvSource({"2 3 2, PRODUCT", "2 3 2, FACTOR_PRODUCT", "5 4 2, PRODUCT", "5 4 2, FACTOR_PRODUCT", "8 2, PRODUCT",
            "9 2, PRODUCT"})
    void termsSumToTheDenseUpdateFoldedOrNot(String ranks, DirectionNorm norm) {
        int[] r = java.util.Arrays.stream(ranks.split(" ")).mapToInt(Integer::parseInt).toArray();
        SdLoraState state = state(r.length, r);
        SdLoraAlgebra algebra = SdLoraAlgebra.of(state, norm, SdLoraAlgebra.Training.ALL);
        double[] alpha = algebra.magnitudes();
        int finished = java.util.Arrays.stream(r).sum() - r[r.length - 1];
        boolean folds = finished > DIM / 4;
        for (int l = 0; l < DEPTH; l++) {
            for (Projection p : Projection.values()) {
                ProjectionTerms terms = algebra.terms(l, p);
                String where = "block " + l + " " + p;
                INDArray expected = dense(state, norm, l, p);
                assertTrue(expected.norm2Number().doubleValue() > 1, "a trivial update would prove nothing");
                assertClose(expected, terms.all().delta(alpha), where + " term by term");
                assertClose(expected, stacked(terms.all(), alpha), where + " stacked");

                assertEquals(folds, terms.foldsFinished(), where);
                assertEquals(folds ? SdLoraAlgebra.GradientForm.WEIGHT : SdLoraAlgebra.GradientForm.LOW_RANK,
                        terms.gradientForm(), where);
                assertEquals(folds, !terms.inWeight().isEmpty(), where + ": finished terms in the weight");
                assertEquals(finished, folds ? terms.inWeight().rank() : terms.lowRank().rank() - r[r.length - 1],
                        where + ": every finished row on exactly one side");
                assertTrue(terms.inWeight().terms().stream().noneMatch(AdapterTerm::current), where);
                assertEquals(r[r.length - 1], terms.lowRank().currentRank(), where + ": the current term stays low-rank");
                INDArray split = stacked(terms.lowRank(), alpha);
                if (folds) {
                    split.addi(stacked(terms.inWeight(), alpha));
                }
                assertClose(expected, split, where + " weight part plus low-rank part");
            }
        }
    }

    @Test
    void finishedDirectionsOfNormZeroContributeNoRows() {
        SdLoraState state = state(3, 2, 3, 2);
        TaskAdapter merged = state.task(1);
        merged.set(0, Projection.Q, merged.zeroPair(DataType.FLOAT));
        SdLoraAlgebra algebra = SdLoraAlgebra.of(state, DirectionNorm.FACTOR_PRODUCT, SdLoraAlgebra.Training.ALL);
        StackedTerms rows = algebra.terms(0, Projection.Q).all();
        assertEquals(4, rows.rank());
        assertEquals(2, rows.currentStart(), "task 0's two rows come first, then the current task's");
        assertEquals(7, algebra.terms(0, Projection.V).all().rank());
    }

    @Test
    void theCurrentTermIsUnnormalizedAndTheOnlyTrainedOne() {
        SdLoraState state = state(5, 2, 3);
        StackedTerms rows = SdLoraAlgebra.of(state, DirectionNorm.PRODUCT, SdLoraAlgebra.Training.ALL)
                .terms(1, Projection.V).all();
        for (int j = 0; j < rows.rank(); j++) {
            boolean current = j >= rows.currentStart();
            assertEquals(current ? 1 : 0, rows.rowTask(j));
            assertEquals(current, rows.rowInvNorm(j) == 1.0, "row " + j);
            assertEquals(current ? 0.0 : 0.25, rows.rowAssimilated(j), "row " + j);
        }
        SdLoraAlgebra training = SdLoraAlgebra.of(state, DirectionNorm.PRODUCT, SdLoraAlgebra.Training.ALL);
        SdLoraAlgebra inference = SdLoraAlgebra.of(state, DirectionNorm.PRODUCT, SdLoraAlgebra.Training.NONE);
        for (AdapterTerm t : training.terms(0, Projection.Q).all().terms()) {
            assertEquals(t.current(), training.trains(t));
            assertFalse(inference.trains(t));
        }
    }

    @Test
    void trainingWithoutACurrentTaskIsRefused() {
        SdLoraState state = state(7, 2, 3);
        state.setCurrentTask(-1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SdLoraAlgebra.of(state, DirectionNorm.PRODUCT, SdLoraAlgebra.Training.ALL));
        assertTrue(e.getMessage().contains("beforeTask"), e.getMessage());
        assertEquals(0, SdLoraAlgebra.of(state, DirectionNorm.PRODUCT, SdLoraAlgebra.Training.NONE)
                .terms(0, Projection.Q).all().currentRank());
        assertThrows(IllegalArgumentException.class, () -> SdLoraAlgebra.of(state, null, SdLoraAlgebra.Training.NONE));
    }
}
