package io.github.sdlora4j.learner;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The updaters, run through SameDiff's own fit, against PyTorch's formulas computed by hand. */
class OptimizerTest {

    /** Loss 0.5·mean((x·w − y)²) over a batch of 4 with w of 3 entries: gradient = xᵀ(xw − y)/4. */
    private static double[] run(OptimizerConfig config, int steps, double[][] expectedOut) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable y = sd.placeHolder("y", DataType.DOUBLE, -1, 1);
        SDVariable w = sd.var("w", Nd4j.create(new double[]{0.5, -0.2, 0.1}, new long[]{3, 1}, 'c'));
        SDVariable diff = x.mmul(w).sub(y);
        sd.math.square(diff).mean().mul(0.5).rename("loss");
        EpochLearningRate schedule = new EpochLearningRate(config);
        FitLoss fit = FitLoss.configure(sd, "loss", "x", "y", config.newUpdater(schedule));
        INDArray xs = Nd4j.create(new double[][]{{1, 2, 0}, {0, 1, -1}, {2, 0, 1}, {1, 1, 1}});
        INDArray ys = Nd4j.create(new double[][]{{1}, {0}, {2}, {-1}});
        for (int s = 0; s < steps; s++) {
            schedule.setEpoch(s);
            fit.fit(new DataSet(xs, ys), 0, s, s);
            expectedOut[s] = sd.getArrForVarName("w").dup().data().asDouble();
        }
        return sd.getArrForVarName("w").data().asDouble();
    }

    private static double[] gradient(double[] w) {
        double[][] xs = {{1, 2, 0}, {0, 1, -1}, {2, 0, 1}, {1, 1, 1}};
        double[] ys = {1, 0, 2, -1};
        double[] g = new double[3];
        for (int i = 0; i < 4; i++) {
            double r = xs[i][0] * w[0] + xs[i][1] * w[1] + xs[i][2] * w[2] - ys[i];
            for (int k = 0; k < 3; k++) {
                g[k] += xs[i][k] * r / 4;
            }
        }
        return g;
    }

    @Test
    void sgdFollowsPyTorchMomentumWithMilestones() {
        OptimizerConfig c = new OptimizerConfig("sgd", 0.1, 0.9, List.of(2), 0.5);
        double[][] got = new double[4][];
        run(c, 4, got);
        double[] w = {0.5, -0.2, 0.1};
        double[] v = new double[3];
        for (int s = 0; s < 4; s++) {
            double lr = s >= 2 ? 0.05 : 0.1;
            double[] g = gradient(w);
            for (int k = 0; k < 3; k++) {
                v[k] = 0.9 * v[k] + g[k];
                w[k] -= lr * v[k];
                assertEquals(w[k], got[s][k], 1e-12, "step " + s + " entry " + k);
            }
        }
    }

    @Test
    void adamFollowsPyTorch() {
        OptimizerConfig c = new OptimizerConfig("adam", 0.01, 0, List.of(), 0.1);
        double[][] got = new double[3][];
        run(c, 3, got);
        double[] w = {0.5, -0.2, 0.1};
        double[] m = new double[3];
        double[] v = new double[3];
        for (int s = 0; s < 3; s++) {
            double[] g = gradient(w);
            for (int k = 0; k < 3; k++) {
                m[k] = 0.9 * m[k] + 0.1 * g[k];
                v[k] = 0.999 * v[k] + 0.001 * g[k] * g[k];
                double mh = m[k] / (1 - Math.pow(0.9, s + 1));
                double vh = v[k] / (1 - Math.pow(0.999, s + 1));
                w[k] -= 0.01 * mh / (Math.sqrt(vh) + 1e-8);
                assertEquals(w[k], got[s][k], 1e-12, "step " + s + " entry " + k);
            }
        }
    }

    @Test
    void configIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new OptimizerConfig("rmsprop", 0.1, 0, List.of(), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new OptimizerConfig("sgd", -1, 0, List.of(), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new OptimizerConfig("sgd", 0.1, 1.0, List.of(), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new OptimizerConfig("sgd", 0.1, 0.9, List.of(5, 3), 0.1));
        assertEquals(0.1 * 0.05 * 0.05, new OptimizerConfig("sgd", 0.1, 0.9, List.of(10, 15), 0.05).learningRateAt(15),
                1e-15);
    }
}
