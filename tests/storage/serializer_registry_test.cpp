#include <gtest/gtest.h>

#include "blob_serializer.hpp"
#include "functionfuse/error.hpp"
#include "functionfuse/serializer.hpp"

namespace ff = functionfuse;

namespace {
/// A second serializer for the same class under another name.
class renamed_blob_serializer : public ff_test::blob_serializer {
  public:
    std::string name() const override { return "Renamed"; }
};
}  // namespace

TEST(SerializerRegistry, LooksUpByClassAndName) {
    ff::serializer_registry r;
    auto s = std::make_shared<ff_test::blob_serializer>();
    r.add({s});
    auto t = r.snapshot();
    ASSERT_NE(t->by_class(typeid(ff_test::blob)), nullptr);
    EXPECT_EQ(t->by_class(typeid(ff_test::blob))->serializer, s);
    EXPECT_EQ(t->by_name("BlobSerializer")->serializer, s);
    EXPECT_EQ(t->by_name("nope"), nullptr);
    EXPECT_EQ(t->by_class(typeid(int)), nullptr);
}

TEST(SerializerRegistry, LaterRegistrationReplacesSameClassOrName) {
    ff::serializer_registry r;
    auto first = std::make_shared<ff_test::blob_serializer>();
    auto second = std::make_shared<renamed_blob_serializer>();
    r.add({first});
    auto before = r.snapshot();
    r.add({second});
    auto after = r.snapshot();
    ASSERT_EQ(after->entries().size(), 1u);
    EXPECT_EQ(after->by_class(typeid(ff_test::blob))->serializer, second);
    EXPECT_EQ(after->by_name("BlobSerializer"), nullptr);
    // A snapshot taken earlier is unchanged (operations in flight keep theirs).
    EXPECT_EQ(before->by_name("BlobSerializer")->serializer, first);
}

TEST(SerializerRegistry, NullIsRefusedAndRegistersNothing) {
    ff::serializer_registry r;
    EXPECT_THROW(r.add({std::make_shared<ff_test::blob_serializer>(), nullptr}), ff::type_error);
    EXPECT_TRUE(r.snapshot()->entries().empty());
}
