package io.github.sdlora4j.learner;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The optimizer of each task; a fresh instance (zero state) is built for every task, as the references do.
 *
 * @param type         {@code sgd} (PyTorch momentum semantics, see {@link TorchSgd}) or {@code adam}
 *                     (PyTorch's formula, see {@link TorchAdam})
 * @param learningRate constant learning rate, or the starting one when milestones are given
 * @param momentum     SGD momentum (reference 0.9); ignored by Adam
 * @param milestones   epochs (0-based, ascending) at which the rate is multiplied by {@code gamma}; may be empty
 * @param gamma        the factor of each milestone (PyTorch MultiStepLR)
 */
public record OptimizerConfig(String type, double learningRate, double momentum, List<Integer> milestones,
                              double gamma) {

    /** The reference code's optimizer: SGD, momentum 0.9, lr 8e-3, constant. */
    public static final OptimizerConfig REFERENCE_SGD = new OptimizerConfig("sgd", 8e-3, 0.9, List.of(), 0.1);
    /** The paper's optimizer: Adam, lr 8e-3. */
    public static final OptimizerConfig PAPER_ADAM = new OptimizerConfig("adam", 8e-3, 0.0, List.of(), 0.1);

    /** Validates and normalizes. */
    @JsonCreator
    public OptimizerConfig(@JsonProperty("type") String type, @JsonProperty("learningRate") double learningRate,
                           @JsonProperty("momentum") double momentum,
                           @JsonProperty("milestones") List<Integer> milestones, @JsonProperty("gamma") double gamma) {
        String t = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (!t.equals("sgd") && !t.equals("adam")) {
            throw new IllegalArgumentException("optimizer.type must be 'sgd' or 'adam', got '" + type + "'");
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("optimizer.learningRate must be a positive number, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("optimizer.momentum must be in [0, 1), got " + momentum);
        }
        List<Integer> m = milestones == null ? List.of() : List.copyOf(milestones);
        for (int i = 0; i < m.size(); i++) {
            if (m.get(i) < 1 || (i > 0 && m.get(i) <= m.get(i - 1))) {
                throw new IllegalArgumentException("optimizer.milestones must be ascending epochs >= 1, got " + m);
            }
        }
        if (!(gamma > 0) || !Double.isFinite(gamma)) {
            throw new IllegalArgumentException("optimizer.gamma must be a positive number, got " + gamma);
        }
        this.type = t;
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.milestones = m;
        this.gamma = gamma;
    }

    /** The learning rate in effect during {@code epoch} (0-based). */
    public double learningRateAt(int epoch) {
        double lr = learningRate;
        for (int m : milestones) {
            if (epoch >= m) {
                lr *= gamma;
            }
        }
        return lr;
    }

    /**
     * A new DL4J updater with fresh state whose learning rate follows {@code schedule} (milestones by epoch).
     */
    IUpdater newUpdater(ISchedule schedule) {
        if (type.equals("sgd")) {
            return new TorchSgd(learningRate, momentum, schedule);
        }
        return new TorchAdam(learningRate, schedule);
    }

    @Override
    public String toString() {
        return type + "(lr=" + learningRate + (type.equals("sgd") ? ", momentum=" + momentum : "")
                + (milestones.isEmpty() ? "" : ", milestones=" + Arrays.toString(milestones.toArray()) + ", gamma=" + gamma)
                + ")";
    }
}
