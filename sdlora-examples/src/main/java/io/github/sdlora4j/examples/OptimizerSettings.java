package io.github.sdlora4j.examples;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.sdlora4j.learner.OptimizerConfig;
import io.github.sdlora4j.learner.SdLoraMode;

import java.util.List;

/**
 * The {@code optimizer} block of a run config: every field optional, defaults from the mode (reference: SGD with
 * momentum 0.9 at 8e-3; paper: Adam at 8e-3), constant rate unless milestones are given.
 *
 * @param type         sgd or adam
 * @param learningRate starting learning rate
 * @param momentum     SGD momentum
 * @param milestones   0-based epochs at which the rate is multiplied by gamma
 * @param gamma        the factor of each milestone
 */
public record OptimizerSettings(String type, Double learningRate, Double momentum, List<Integer> milestones,
                                Double gamma) {

    /** Jackson entry point; every field may be missing. */
    @JsonCreator
    public OptimizerSettings(@JsonProperty("type") String type, @JsonProperty("learningRate") Double learningRate,
                             @JsonProperty("momentum") Double momentum,
                             @JsonProperty("milestones") List<Integer> milestones,
                             @JsonProperty("gamma") Double gamma) {
        this.type = type;
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.milestones = milestones == null ? null : List.copyOf(milestones);
        this.gamma = gamma;
    }

    /** The complete optimizer: missing fields from the mode's default. */
    public OptimizerConfig resolve(SdLoraMode mode) {
        OptimizerConfig d = mode == SdLoraMode.PAPER ? OptimizerConfig.PAPER_ADAM : OptimizerConfig.REFERENCE_SGD;
        String t = type == null ? d.type() : type;
        double defaultMomentum = t.equalsIgnoreCase("sgd") ? OptimizerConfig.REFERENCE_SGD.momentum() : 0.0;
        return new OptimizerConfig(t, learningRate == null ? d.learningRate() : learningRate,
                momentum == null ? defaultMomentum : momentum, milestones == null ? List.of() : milestones,
                gamma == null ? d.gamma() : gamma);
    }

    /** All fields missing. */
    public static OptimizerSettings defaults() {
        return new OptimizerSettings(null, null, null, null, null);
    }

    /** The same settings with every field filled in, for the manifest. */
    public OptimizerSettings effective(SdLoraMode mode) {
        OptimizerConfig c = resolve(mode);
        return new OptimizerSettings(c.type(), c.learningRate(), c.momentum(), c.milestones(), c.gamma());
    }
}
