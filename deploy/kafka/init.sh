#!/bin/bash
# One-shot after the broker is up: create the topics ($TOPICS: "name partitions" lines) and grant the
# ACLs ($ACLS: "principal operation resource-type name" lines), as the admin. Both are idempotent.
set -euo pipefail

config=/tmp/admin.properties
cat > "$config" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(tr -d '\n' < /run/secrets/kafka_admin_password)";
EOF
bin=/opt/kafka/bin
while read -r topic partitions; do
    [ -z "$topic" ] && continue
    "$bin/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$config" --create --if-not-exists \
        --topic "$topic" --partitions "$partitions" --replication-factor 1
done <<< "$TOPICS"
while read -r principal operation resource name; do
    [ -z "$principal" ] && continue
    "$bin/kafka-acls.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$config" --add \
        --allow-principal "$principal" --operation "$operation" "--${resource,,}" "$name"
done <<< "$ACLS"
echo "kafka-init: topics and ACLs in place"
