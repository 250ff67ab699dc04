package io.miaobu.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.miaobu.api.notify.NotificationEvent;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Stores events as JSON in the outbox and reads them back: the record's simple name says which record, its
 * components are the fields. Unknown fields are ignored, so an event stored by an older version still reads.
 */
final class EventJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @SuppressWarnings("unchecked")
    private static final Map<String, Class<? extends NotificationEvent>> TYPES = Arrays
            .stream(NotificationEvent.class.getPermittedSubclasses())
            .map(type -> (Class<? extends NotificationEvent>) type)
            .collect(Collectors.toMap(Class::getSimpleName, Function.identity()));

    private EventJson() {
    }

    static String typeOf(NotificationEvent event) {
        return event.getClass().getSimpleName();
    }

    static String write(NotificationEvent event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot store event " + event, e);
        }
    }

    static NotificationEvent read(String type, String json) {
        Class<? extends NotificationEvent> record = TYPES.get(type);
        if (record == null) {
            throw new IllegalStateException("unknown event type " + type);
        }
        try {
            return MAPPER.readValue(json, record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read stored event of type " + type, e);
        }
    }
}
