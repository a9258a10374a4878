package io.tickwire.gateway.room;

/** A subscriber that takes nothing: for tests that only count or retire subscribers. */
final class IdleSubscriber implements RoomSubscriber {

    @Override
    public void onLive(EncodedEvent event) {}

    @Override
    public void onMissedLive() {}

    @Override
    public void failed(Throwable cause) {}
}
