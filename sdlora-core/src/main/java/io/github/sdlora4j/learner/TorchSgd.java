package io.github.sdlora4j.learner;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Map;
import java.util.Objects;

/**
 * SGD with PyTorch's momentum rule ({@code torch.optim.SGD}, dampening 0, no Nesterov):
 * {@code v ← μ·v + g; θ ← θ − lr·v}. DL4J's {@code Nesterovs} is a different rule and {@code Sgd} has no momentum,
 * so the reference optimizer needs this updater. Like every DL4J updater it turns the gradient into the update
 * that the trainer subtracts.
 */
public final class TorchSgd extends ScheduledUpdater {

    private final double momentum;

    /** @param schedule optional learning-rate schedule (overrides {@code learningRate}); may be null */
    public TorchSgd(double learningRate, double momentum, ISchedule schedule) {
        super(learningRate, schedule, "SGD");
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
        }
        this.momentum = momentum;
    }

    public double momentum() {
        return momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return momentum == 0 ? 0 : numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        if (momentum != 0) {
            u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        }
        return u;
    }

    @Override
    GradientUpdater<?> newUpdater() {
        return new Updater(this);
    }

    @Override
    public TorchSgd clone() {
        return new TorchSgd(learningRate, momentum, scheduleCopy());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchSgd t && t.learningRate == learningRate && t.momentum == momentum
                && Objects.equals(t.schedule, schedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, momentum, schedule);
    }

    @Override
    public String toString() {
        return "TorchSgd(lr=" + learningRate + ", momentum=" + momentum + (schedule == null ? "" : ", " + schedule) + ")";
    }

    /** The per-variable state: the velocity buffer v. */
    static final class Updater extends PerVariable<TorchSgd> {
        static final String VELOCITY = "V";
        private INDArray velocity;

        Updater(TorchSgd config) {
            super(config);
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            if (config.momentum == 0) {
                return;
            }
            INDArray v = state.get(VELOCITY);
            if (v == null) {
                throw new IllegalStateException("TorchSgd state needs key " + VELOCITY + ", got " + state.keySet());
            }
            velocity = v;
            if (initialize) {
                velocity.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return velocity == null ? Map.of() : Map.of(VELOCITY, velocity);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char order, boolean initialize) {
            if (viewArray == null) {
                return; // no state without momentum
            }
            if (initialize) {
                viewArray.assign(0);
            }
            velocity = viewArray.reshape(order, gradientShape);
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            double lr = config.getLearningRate(iteration, epoch);
            if (config.momentum == 0) {
                gradient.muli(lr);
                return;
            }
            // PyTorch's first step sets v = g (buffer starts as a copy of the gradient); from zero, μ·0 + g is the same.
            velocity.muli(config.momentum).addi(gradient.reshape(velocity.shape()));
            gradient.assign(velocity.reshape(gradient.shape())).muli(lr);
        }
    }
}
