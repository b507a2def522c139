package io.github.sdlora4j.learner;

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
    public OptimizerConfig {
        String lower = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (!lower.equals("sgd") && !lower.equals("adam")) {
            throw new IllegalArgumentException("optimizer.type must be 'sgd' or 'adam', got '" + type + "'");
        }
        type = lower;
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("optimizer.learningRate must be a positive number, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("optimizer.momentum must be in [0, 1), got " + momentum);
        }
        milestones = milestones == null ? List.of() : List.copyOf(milestones);
        for (int i = 0; i < milestones.size(); i++) {
            if (milestones.get(i) < 1 || (i > 0 && milestones.get(i) <= milestones.get(i - 1))) {
                throw new IllegalArgumentException("optimizer.milestones must be ascending epochs >= 1, got "
                        + milestones);
            }
        }
        if (!(gamma > 0) || !Double.isFinite(gamma)) {
            throw new IllegalArgumentException("optimizer.gamma must be a positive number, got " + gamma);
        }
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
