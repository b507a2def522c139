package io.github.sdlora4j.examples;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code method} of a run config: a registered method and its own settings, of the type the method declares
 * ({@link Methods.Method#settings()}), read as strictly as the rest of the config. In a file either
 * {@code method: sdlora-kd} (default settings) or {@code method: {name: sdlora-kd, kdThreshold: 9e-4}}.
 *
 * @param name     the method's registered name
 * @param settings its settings, an instance of the method's settings type
 */
@JsonDeserialize(using = MethodChoice.Reader.class)
public record MethodChoice(String name, Object settings) {

    /** Validates: a known method with settings of its type. */
    public MethodChoice {
        Methods.Method m = Methods.require(name);
        Objects.requireNonNull(settings, "method settings");
        if (!m.settings().isInstance(settings)) {
            throw new IllegalArgumentException("method " + name + " takes settings of type "
                    + m.settings().getSimpleName() + ", got " + settings.getClass().getSimpleName());
        }
    }

    /** {@code name} (any case) with its default settings. */
    public static MethodChoice of(String name) {
        String n = name == null ? null : name.toLowerCase(Locale.ROOT);
        Methods.Method m = Methods.require(n);
        return new MethodChoice(n, ConfigLoader.JSON.convertValue(ConfigLoader.JSON.createObjectNode(), m.settings()));
    }

    /** The settings as the method's type. */
    public <S> S settings(Class<S> type) {
        return type.cast(settings);
    }

    /** As written in an effective config: the bare name when the method has no settings, else the block. */
    @JsonValue
    JsonNode json() {
        if (settings.getClass().isRecord() && settings.getClass().getRecordComponents().length == 0) {
            return TextNode.valueOf(name);
        }
        ObjectNode fields = ConfigLoader.JSON.valueToTree(settings);
        ObjectNode block = ConfigLoader.JSON.createObjectNode().put("name", name);
        block.setAll(fields);
        return block;
    }

    /** Reads a name or a block; the block's keys besides {@code name} must be settings of that method. */
    static final class Reader extends JsonDeserializer<MethodChoice> {
        @Override
        public MethodChoice deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = ctxt.readTree(p);
            if (node.isTextual()) {
                return of(node.asText());
            }
            if (!node.isObject() || !node.path("name").isTextual()) {
                throw new IllegalArgumentException("method must be a method name or a block with its name, e.g."
                        + " 'method: {name: sdlora-kd, kdThreshold: 9e-4}'; known methods: "
                        + String.join(", ", Methods.all().keySet()));
            }
            String name = node.get("name").asText().toLowerCase(Locale.ROOT);
            Methods.Method m = Methods.require(name);
            ObjectNode fields = ((ObjectNode) node).deepCopy();
            fields.remove("name");
            try {
                return new MethodChoice(name, ctxt.readTreeAsValue(fields, m.settings()));
            } catch (UnrecognizedPropertyException e) {
                List<Object> known = new ArrayList<>(e.getKnownPropertyIds());
                known.add("name");
                UnrecognizedPropertyException named = UnrecognizedPropertyException.from(p, m.settings(),
                        e.getPropertyName(), known);
                throw named;
            }
        }
    }
}
