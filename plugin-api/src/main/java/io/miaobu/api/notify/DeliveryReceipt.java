package io.miaobu.api.notify;

import java.util.List;

/**
 * What a notifier reports about a delivery that (at least partly) succeeded; shown in the channel's delivery log.
 *
 * @param statusCode        the receiver's status (an HTTP status, an SMTP reply code), or 0 when there is none
 * @param detail            a short human-readable note, e.g. "200 OK" or "accepted for 2 recipients"
 * @param refusedRecipients recipients the receiving server refused or bounced at once (the others got it)
 */
public record DeliveryReceipt(int statusCode, String detail, List<String> refusedRecipients) {

    public DeliveryReceipt {
        detail = detail == null ? "" : detail;
        refusedRecipients = List.copyOf(refusedRecipients == null ? List.of() : refusedRecipients);
    }

    public static DeliveryReceipt of(int statusCode, String detail) {
        return new DeliveryReceipt(statusCode, detail, List.of());
    }
}
