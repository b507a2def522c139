package io.github.sdlora4j.learner;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Map;
import java.util.Objects;

/**
 * Adam exactly as {@code torch.optim.Adam} (no weight decay, no amsgrad):
 * {@code θ ← θ − lr·m̂/(√v̂ + ε)} with bias-corrected moments. DL4J's {@code Adam} puts ε inside the bias correction
 * ({@code lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε)}), which differs from PyTorch when ε matters. The step count is kept per
 * variable, so it starts at 1 for every task's fresh updater.
 */
public final class TorchAdam extends ScheduledUpdater {

    private final double beta1;
    private final double beta2;
    private final double epsilon;

    public TorchAdam(double learningRate, ISchedule schedule) {
        this(learningRate, 0.9, 0.999, 1e-8, schedule);
    }

    public TorchAdam(double learningRate, double beta1, double beta2, double epsilon, ISchedule schedule) {
        super(learningRate, schedule, "Adam");
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("Adam needs betas in [0, 1) and epsilon > 0, got " + beta1 + ", " + beta2
                    + ", " + epsilon);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    public long stateSize(long numParams) {
        return 2 * numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        u.setStateViewArray(viewArray, new long[]{viewArray.length() / 2}, 'c', initializeViewArray);
        return u;
    }

    @Override
    GradientUpdater<?> newUpdater() {
        return new Updater(this);
    }

    @Override
    public TorchAdam clone() {
        return new TorchAdam(learningRate, beta1, beta2, epsilon, scheduleCopy());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchAdam t && t.learningRate == learningRate && t.beta1 == beta1 && t.beta2 == beta2
                && t.epsilon == epsilon && Objects.equals(t.schedule, schedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, beta1, beta2, epsilon, schedule);
    }

    @Override
    public String toString() {
        return "TorchAdam(lr=" + learningRate + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + epsilon + ")";
    }

    /** Per-variable state: first and second moments and the step count. */
    static final class Updater extends PerVariable<TorchAdam> {
        private INDArray m;
        private INDArray v;
        /** The step count t of the bias correction, kept as state so that a checkpoint restores it. */
        private final INDArray step = org.nd4j.linalg.factory.Nd4j.scalar(0.0);

        Updater(TorchAdam config) {
            super(config);
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            m = state.get("M");
            v = state.get("V");
            if (m == null || v == null) {
                throw new IllegalStateException("TorchAdam state needs keys M and V, got " + state.keySet());
            }
            if (initialize) {
                m.assign(0);
                v.assign(0);
            }
            if (state.containsKey("T")) {
                step.assign(initialize ? 0 : state.get("T").getDouble(0));
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of("M", m, "V", v, "T", step);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char order, boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            long n = viewArray.length() / 2;
            INDArray flat = viewArray.reshape(viewArray.length());
            m = flat.get(NDArrayIndex.interval(0, n)).reshape(order, gradientShape);
            v = flat.get(NDArrayIndex.interval(n, 2 * n)).reshape(order, gradientShape);
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            int t = step.getInt(0) + 1;
            step.assign(t);
            INDArray g = gradient.reshape(m.shape());
            m.muli(config.beta1).addi(g.mul(1 - config.beta1));
            v.muli(config.beta2).addi(g.mul(g).muli(1 - config.beta2));
            double lr = config.getLearningRate(iteration, epoch);
            double c1 = 1 - Math.pow(config.beta1, t);
            double c2 = 1 - Math.pow(config.beta2, t);
            INDArray denom = Transforms.sqrt(v.div(c2), false).addi(config.epsilon);
            gradient.assign(m.div(c1).divi(denom).muli(lr).reshape(gradient.shape()));
        }
    }
}
